"""Several nodes, one PostgreSQL, real parts: two nodes (own CYNIC_HOME, own loopback address)
behind HAProxy (shipped configuration, /ready health checks), talking to PostgreSQL through
PgBouncer in transaction pooling. Under load: read-your-writes holds, a node killed with
SIGKILL is routed around while the other answers 200, the restarted node replays its own
journal, and every acknowledged judgment is stored exactly once."""

from __future__ import annotations

import http.client
import re
import threading
import time

import psycopg
import pytest
from psycopg import sql

from tests.support.fleet import HAProxy, PgBouncer, have
from tests.support.harness import Gunicorn, request
from tests.support.slowloris import Probe, SlowBodyFlood

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning"),
    pytest.mark.skipif(
        not (have("haproxy") and have("pgbouncer")),
        reason="haproxy and pgbouncer (scripts/test installs them)",
    ),
]


@pytest.fixture
def pgbouncer(database_url, reachable_dir):
    with psycopg.connect(database_url, autocommit=True) as conn:
        # Through PgBouncer the role or database carries the statement timeout (docs/deployment.md).
        dbname = conn.info.dbname
        conn.execute(sql.SQL("ALTER DATABASE {} SET statement_timeout = '5s'").format(sql.Identifier(dbname)))
    bouncer = PgBouncer(reachable_dir, database_url).start()
    yield bouncer
    bouncer.stop()


def node(tmp_path, name: str, host: str, url: str, **kwargs) -> Gunicorn:
    env = {"CYNIC_NODE": name, "CYNIC_PGBOUNCER": "true", "CYNIC_TRUSTED_PROXIES": "1"}
    return Gunicorn(tmp_path / name, url, workers=2, threads=2, env=env, host=host, **kwargs)


def call(port: int, method: str, path: str) -> int | str:
    """The status of one request through HAProxy, or what went wrong (its error pages are HTML)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        return repr(exc)
    finally:
        conn.close()


class Load:
    """Client threads through HAProxy: POST a judgment, then GET it at once (any node)."""

    def __init__(self, port: int, threads: int):
        self.port = port
        self.acked: list[tuple[float, str]] = []
        self.misses: list[str] = []
        self.failures: list[tuple[float, object]] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(t,)) for t in range(threads)]

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(timeout=30)

    def _client(self, t: int) -> None:
        i = 0
        while not self.stop.is_set() and i < 5000:
            i += 1
            try:
                status, body = request(
                    self.port, "POST", "/judge", {"content": f"f_{t}_{i} = {i}"}, timeout_s=5
                )
            except (OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: HAProxy's HTML page
                self._fail(repr(exc))
                continue
            if status != 200:
                self._fail(status)
                continue
            jid = body["judgment_id"]
            with self._lock:
                self.acked.append((time.monotonic(), jid))
            status = call(self.port, "GET", f"/judge/{jid}")
            if status == 404:  # a stale read: the write was acknowledged, the read did not find it
                with self._lock:
                    self.misses.append(jid)
            elif status != 200:
                self._fail(f"GET {status}")

    def _fail(self, what) -> None:
        with self._lock:
            self.failures.append((time.monotonic(), what))
        time.sleep(0.05)


def test_two_nodes_behind_haproxy_and_pgbouncer_survive_a_kill(tmp_path, database_url, pgbouncer):
    url = pgbouncer.url(database_url)
    a = node(tmp_path, "node-a", "127.0.0.2", url).start()
    b = node(tmp_path, "node-b", "127.0.0.3", url).start()
    lb = HAProxy(tmp_path, (a.host, a.port), (b.host, b.port)).start()
    try:
        with psycopg.connect(url, prepare_threshold=None) as conn:
            assert conn.execute("SHOW statement_timeout").fetchone() == ("5s",)
        with Load(lb.port, threads=4) as load:
            time.sleep(3)
            answered_by_a = len(load.acked)
            killed_at = time.monotonic()
            a.kill()  # SIGKILL, master and workers, mid-load
            time.sleep(5)
            for _ in range(10):  # the other node answers, directly too
                assert request(b.port, "GET", "/health", host=b.host)[0] == 200
        print(
            f"fleet: {len(load.acked)} acknowledged, {len(load.failures)} failed, at these seconds "
            f"after the kill: {[(round(at - killed_at, 2), what) for at, what in load.failures][:8]}"
        )
        late = [f for at, f in load.failures if at > killed_at + 2.0]
        after_kill = [jid for at, jid in load.acked if at > killed_at + 2.0]
        assert answered_by_a > 0 and late == [] and len(after_kill) > 20, (
            load.failures[-5:],
            len(after_kill),
        )
        assert load.misses == []  # read-your-writes, whichever node answered the read

        a.start()  # same home, address and port: settles its own journals before serving
        starts = re.findall(r"start-up: (\d+) closed journals settled: (\d+) records", a.log_path.read_text())
        assert len(starts) == 2 and int(starts[1][0]) > 0 and int(starts[1][1]) > 0, starts
        nodes_seen = set()
        deadline = time.monotonic() + 10
        while nodes_seen != {"node-a", "node-b"} and time.monotonic() < deadline:
            nodes_seen.add(request(lb.port, "GET", "/health")[1]["node"])
            time.sleep(0.1)
        assert nodes_seen == {"node-a", "node-b"}  # HAProxy routes to it again
    finally:
        lb.stop()
        a.stop()
        b.stop()
    acked = [jid for _, jid in load.acked]
    with psycopg.connect(database_url) as conn:
        counts = dict(conn.execute("SELECT judgment_id::text, count(*) FROM judgments GROUP BY 1").fetchall())
    assert len(acked) == len(set(acked)) and [j for j in acked if counts.get(j) != 1] == []


def test_a_slow_body_flood_through_haproxy_never_reaches_the_node(tmp_path, database_url, pgbouncer):
    url = pgbouncer.url(database_url)
    only = node(tmp_path, "node-a", "127.0.0.2", url).start()
    lb = HAProxy(tmp_path, (only.host, only.port), (only.host, only.port)).start()
    try:
        probe = Probe("127.0.0.1", lb.port)
        with SlowBodyFlood("127.0.0.1", lb.port, 3 * 2 * 2 + 8) as flood:
            probe.run(duration_s=4)
        worst_s = max(probe.latencies_s)
        print(f"through HAProxy: flood answers {flood.answers}; probe worst {worst_s * 1000:.0f} ms")
        assert probe.failures == [] and worst_s < 1.0, sorted(probe.latencies_s)[-5:]
    finally:
        lb.stop()
        only.stop()
    assert "too_many_slow_bodies" not in only.log() and " 408 " not in only.log()  # HAProxy held them
