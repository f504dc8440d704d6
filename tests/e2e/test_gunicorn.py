"""End to end: the shipped gunicorn configuration, several workers, a real PostgreSQL."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from tests.support.harness import ROOT, Gunicorn, request

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path, database_url):
    g = Gunicorn(tmp_path / "home", database_url, workers=3).start()
    yield g
    g.stop()


def run_clients(port, n_threads, per_thread, *, deadline_s=60, read_back=True):
    """Each thread POSTs and, at once, GETs what it wrote (a new connection: any worker)."""
    acked, misses, errors = [], [], []
    lock = threading.Lock()

    def client(t):
        stop_at = time.monotonic() + deadline_s
        for i in range(per_thread):
            if time.monotonic() > stop_at:
                return
            try:
                status, body = request(port, "POST", "/judge", {"content": f"v_{t}_{i} = {i}"})
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(repr(exc))
                return
            if status != 200:
                with lock:
                    errors.append((status, body))
                continue
            with lock:
                acked.append(body["judgment_id"])
            if read_back and request(port, "GET", f"/judge/{body['judgment_id']}")[0] != 200:
                with lock:
                    misses.append(body["judgment_id"])

    threads = [threading.Thread(target=client, args=(t,)) for t in range(n_threads)]
    for t in threads:
        t.start()
    return threads, acked, misses, errors


def counts_by_id(database_url) -> dict[str, int]:
    with psycopg.connect(database_url) as conn:
        return dict(conn.execute("SELECT judgment_id::text, count(*) FROM judgments GROUP BY 1").fetchall())


def test_every_write_is_readable_at_once_and_guidance_always_parses(server):
    stop, unparseable, reads = threading.Event(), [], [0]

    def guidance_reader():
        path = server.home / "guidance.json"
        while not stop.is_set():
            try:
                json.loads(path.read_bytes())
                reads[0] += 1
            except FileNotFoundError:
                continue
            except ValueError as exc:
                unparseable.append(str(exc))

    reader = threading.Thread(target=guidance_reader)
    reader.start()
    threads, acked, misses, errors = run_clients(server.port, 8, 40)
    for t in threads:
        t.join()
    stop.set()
    reader.join()
    assert errors == [] and misses == []
    assert len(acked) == 320 and reads[0] > 0 and unparseable == []
    counts = counts_by_id(server.database_url)
    assert all(counts.get(i) == 1 for i in acked)


def test_sigkill_mid_load_loses_nothing_acknowledged(tmp_path, database_url):
    g = Gunicorn(tmp_path / "home", database_url, workers=3).start()
    threads, acked, _misses, _errors = run_clients(g.port, 6, 10_000, deadline_s=20, read_back=False)
    time.sleep(1.5)
    g.kill()  # master and workers, SIGKILL, mid-load
    for t in threads:
        t.join()
    assert len(acked) > 20
    g.start()  # replays the journal before serving
    try:
        counts = counts_by_id(database_url)
        assert [i for i in acked if counts.get(i) != 1] == []
        for jid in acked[-20:]:
            assert request(g.port, "GET", f"/judge/{jid}")[0] == 200
        result = subprocess.run(
            [sys.executable, "-m", "cynic_app.cli", "replay", "--verify"],
            env=g.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        g.stop()


def test_postgres_stopped_means_fast_503_and_recovery_without_restart(tmp_path, private_pg):
    g = Gunicorn(tmp_path / "home", private_pg.url, workers=2).start()
    try:
        assert request(g.port, "POST", "/judge", {"content": "a = 1"})[0] == 200
        private_pg.stop()
        started = time.monotonic()
        status, body = request(g.port, "POST", "/judge", {"content": "b = 2"})
        assert status == 503 and time.monotonic() - started < 2.0
        assert body["error"]["details"]["outcome"] in ("not_written", "unknown")
        assert request(g.port, "GET", "/ready")[0] == 503
        private_pg.start()
        back = time.monotonic()
        while request(g.port, "POST", "/judge", {"content": "c = 3"})[0] != 200:
            assert time.monotonic() - back < 5, "not recovered within 5 s of PostgreSQL returning"
            time.sleep(0.2)
    finally:
        g.stop()


def test_a_second_master_on_the_same_home_refuses_to_start(server):
    second = Gunicorn(server.home, server.database_url, workers=1)
    second.start(wait=False)
    assert second.process.wait(timeout=30) != 0
    assert "already serving CYNIC_HOME" in second.log()
    assert request(server.port, "GET", "/ready")[0] == 200


def test_replay_twice_applies_nothing_the_second_time(server):
    for i in range(5):
        assert request(server.port, "POST", "/judge", {"content": f"x = {i}"})[0] == 200
    server.stop()
    env = server.env()
    outputs = [
        subprocess.run(
            [sys.executable, "-m", "cynic_app.cli", "replay"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        for _ in range(2)
    ]
    assert all(o.returncode == 0 for o in outputs), outputs
    assert ", applied 0," in outputs[0].stdout and ", applied 0," in outputs[1].stdout


def test_metrics_are_summed_across_workers(server):
    for i in range(30):
        assert request(server.port, "POST", "/judge", {"content": f"m_{i} = {i}"})[0] == 200
    conn = __import__("http.client").client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    appends = [
        line for line in text.splitlines() if line.startswith('cynic_journal_appends_total{kind="judgment"}')
    ]
    assert appends and float(appends[0].split()[-1]) == 30.0
    posts = [
        line
        for line in text.splitlines()
        if line.startswith('cynic_http_requests_total{endpoint="/judge",method="POST",status="200"}')
    ]
    assert float(posts[0].split()[-1]) == 30.0


def test_json_logs_for_app_and_gunicorn(tmp_path, database_url):
    g = Gunicorn(tmp_path / "home", database_url, workers=2, env={"CYNIC_LOG_FORMAT": "json"}).start()
    try:
        request(g.port, "POST", "/judge", {"content": "j = 1"}, headers={"X-Request-ID": "json-rid-1"})
    finally:
        g.stop()
    lines = [json.loads(line) for line in g.log_path.read_text().splitlines() if line.strip()]
    access = [entry for entry in lines if entry.get("request_id") == "json-rid-1"]
    assert access and access[0]["path"] == "/judge" and access[0]["status"] == 200
    assert any(entry["logger"] == "gunicorn.error" for entry in lines)  # gunicorn's own lines too


def test_sigterm_under_load_never_acknowledges_anything_not_durable(tmp_path, database_url):
    g = Gunicorn(tmp_path / "home", database_url, workers=3).start()
    threads, acked, _misses, errors = run_clients(g.port, 6, 10_000, deadline_s=15, read_back=False)
    time.sleep(1.0)
    assert g.stop() == 0  # SIGTERM: stop accepting, finish in-flight requests, checkpoint, exit
    for t in threads:
        t.join()
    assert acked, "no request was answered before the stop"
    # Every answer was either complete (then durable) or a connection error: no 5xx, no half answer.
    assert all(isinstance(e, str) for e in errors), [e for e in errors if not isinstance(e, str)][:3]
    counts = counts_by_id(database_url)
    assert [i for i in acked if counts.get(i) != 1] == []
    assert (g.home / "conscious_state.json").exists()
