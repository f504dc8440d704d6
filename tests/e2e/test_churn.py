"""The service under churn, with its shipped gunicorn configuration: tiny segments, workers
recycled every few dozen requests, bursts that leave workers idle, a disk that fills up and
empties again, a record in doubt whose worker exits. Each was an outage or a loss before the
journal had one writer per file."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time

import psycopg
import pytest

from cynic_app.durability.journal.layout import list_journals
from tests.support.harness import Gunicorn, request

pytestmark = pytest.mark.slow


def post(port: int, n: int, tag: str, *, timeout_s: float = 10) -> tuple[int | None, dict | None, float]:
    """POST one judgment; (status or None when no answer, body, seconds it took)."""
    started = time.monotonic()
    try:
        status, body = request(
            port, "POST", "/judge", {"content": f"churn_{tag}_{n} = {n}\n"}, timeout_s=timeout_s
        )
    except (OSError, http.client.HTTPException):
        return None, None, time.monotonic() - started
    return status, body, time.monotonic() - started


def bursts(port: int, *, seconds: float, quiet: int, busy: int, phase_s: float = 2.0) -> list:
    """Alternate `quiet` clients and `busy` clients every phase_s; return every answer."""
    answers, lock = [], threading.Lock()
    deadline = time.monotonic() + seconds

    def client(tag: str, until: float) -> None:
        n = 0
        while time.monotonic() < until:
            n += 1
            answer = post(port, n, tag)
            with lock:
                answers.append(answer)

    phase = 0
    while time.monotonic() < deadline:
        until = min(deadline, time.monotonic() + phase_s)
        clients = busy if phase % 2 else quiet
        threads = [threading.Thread(target=client, args=(f"p{phase}c{c}", until)) for c in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        phase += 1
    return answers


def stored_once(database_url: str, ids: list[str]) -> list[str]:
    """The ids that are not stored exactly once."""
    with psycopg.connect(database_url) as conn:
        counts = dict(
            conn.execute(
                "SELECT judgment_id::text, count(*) FROM judgments"
                " WHERE judgment_id = ANY(%s::uuid[]) GROUP BY 1",
                (ids,),
            ).fetchall()
        )
    return [i for i in ids if counts.get(i) != 1]


def test_tiny_segments_recycled_workers_and_bursts_refuse_nothing(tmp_path, database_url):
    """The outage: rotation, compaction and worker recycling together left workers refusing
    every write (1,780 of 3,750 refused with these settings and no fault injected)."""
    env = {"CYNIC_SEGMENT_BYTES": "4096", "CYNIC_MAX_REQUESTS": "60"}
    g = Gunicorn(tmp_path / "home", database_url, workers=4, threads=2, env=env).start()
    try:
        answers = bursts(g.port, seconds=16, quiet=1, busy=8)
        journals_while_serving = len(list_journals(g.home / "journal"))
    finally:
        g.stop()
    refused = [(s, b) for s, b, _ in answers if s != 200]
    print(
        f"{len(answers)} writes, {len(refused)} not answered 200, {journals_while_serving} journals on disk"
    )
    assert len(answers) > 300 and refused == []
    recycled = g.log_path.read_text().count("Autorestarting worker")
    print(f"{recycled} workers recycled")
    assert recycled >= 4
    assert stored_once(database_url, [b["judgment_id"] for _, b, _ in answers]) == []
    assert journals_while_serving <= 4 + 1  # live workers' journals (one may be being settled)
    assert list_journals(g.home / "journal") == []  # every closed journal settled and gone


def test_a_full_disk_answers_at_once_and_writes_resume_without_a_restart(tmp_path, tmpfs, database_url):
    """A full disk used to hang every request, even after space came back and a restart."""
    disk = tmpfs("16m")
    env = {"CYNIC_SEGMENT_BYTES": "4096"}
    g = Gunicorn(disk.point / "home", database_url, workers=2, threads=2, env=env, log_dir=tmp_path)
    g.start()
    acked = []
    try:
        for n in range(20):
            status, body, _ = post(g.port, n, "before")
            assert status == 200
            acked.append(body["judgment_id"])
        disk.fill()
        while_full = [post(g.port, n, "full", timeout_s=10) for n in range(30)]
        slowest = max(seconds for _, _, seconds in while_full)
        outcomes = {
            (s, (b or {}).get("error", {}).get("details", {}).get("outcome")) for s, b, _ in while_full
        }
        assert slowest < 2.0, f"a request took {slowest:.2f}s while the disk was full"
        assert (503, "not_written") in outcomes and None not in {s for s, _ in outcomes}
        acked += [b["judgment_id"] for s, b, _ in while_full if s == 200]
        ready = request(g.port, "GET", "/ready")
        assert ready[0] == 503 and ready[1]["checks"]["disk"]["ok"] is False

        disk.free()
        freed = time.monotonic()
        while (answer := post(g.port, 0, "after"))[0] != 200:
            assert time.monotonic() - freed < 5, f"writes had not resumed 5 s after space returned: {answer}"
            time.sleep(0.1)
        acked.append(answer[1]["judgment_id"])
        for n in range(20):
            status, body, _ = post(g.port, n, "resumed")
            assert status == 200
            acked.append(body["judgment_id"])

        g.kill()  # kill -9, master and workers
        g.start()
        status, body, _ = post(g.port, 0, "restarted")
        assert status == 200
        acked.append(body["judgment_id"])
    finally:
        g.stop()
    assert stored_once(database_url, acked) == []


SLOW_COMMIT = """
CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body->'cell'->>'content' LIKE '%%SLOW_COMMIT%%' THEN
        PERFORM pg_sleep(2);
    END IF;
    RETURN NEW;
END $$;
CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON judgments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
"""


def test_a_record_in_doubt_is_applied_as_soon_as_its_worker_exits(tmp_path, database_url):
    """Finding 5: a record whose COMMIT was cut off lived only in its worker's memory; when the
    worker exited, nothing applied it until the whole service restarted."""
    g = Gunicorn(tmp_path / "home", database_url, workers=1, threads=2).start()
    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(SLOW_COMMIT)
        answer = {}

        def slow_write():
            answer["status"], answer["body"] = request(
                g.port, "POST", "/judge", {"content": "x = 'SLOW_COMMIT'"}
            )

        writer = threading.Thread(target=slow_write)
        writer.start()
        with psycopg.connect(database_url, autocommit=True) as conn:
            deadline = time.monotonic() + 10
            while not conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = 'cynic_app' AND query = 'COMMIT' AND state = 'active'"
            ).fetchall():
                assert time.monotonic() < deadline, "the COMMIT never started"
                time.sleep(0.02)
        writer.join()
        details = answer["body"]["error"]["details"]
        assert (answer["status"], details["outcome"]) == (503, "unknown")
        worker_pid = request(g.port, "GET", "/health")[1]["pid"]  # /health settles nothing
        os.kill(worker_pid, signal.SIGTERM)  # the worker exits (as on max_requests or a timeout)
        gone = time.monotonic()
        with psycopg.connect(database_url, autocommit=True) as conn:
            while not conn.execute(
                "SELECT 1 FROM judgments WHERE judgment_id = %s", (details["judgment_id"],)
            ).fetchone():
                assert time.monotonic() - gone < 10, (
                    "the record in doubt was not applied after its worker exited"
                )
                time.sleep(0.1)
        print(f"applied {time.monotonic() - gone:.2f}s after its worker exited")
    finally:
        g.stop()
