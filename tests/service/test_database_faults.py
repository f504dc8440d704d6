"""Real faults against the in-process app: a private PostgreSQL stopped and started again."""

import time

import psycopg
import pytest

from cynic_app import create_app
from cynic_app.config import Config
from cynic_app.durability.journal import reader
from cynic_app.durability.journal.layout import list_journals
from tests.support.harness import persisted_snapshot, serving


def test_database_down_fails_fast_honestly_and_recovers_without_restart(private_pg, home):
    config = Config(home=home, database_url=private_pg.url, node="n", startup_timeout_s=5)
    with serving(config) as app:
        client = app.test_client()
        assert client.post("/judge", json={"content": "a = 1"}).status_code == 200
        private_pg.stop()

        started = time.monotonic()
        r = client.post("/judge", json={"content": "b = 2"})
        elapsed = time.monotonic() - started
        assert r.status_code == 503 and "Retry-After" in r.headers
        details = r.get_json()["error"]["details"]
        assert details["outcome"] == "not_written" and details["step"] == "database"
        assert elapsed < 2.0, elapsed  # the promised bound: an honest 503 within 2 s, not a hang
        assert client.get("/ready").status_code == 503

        (journal,) = list_journals(home / "journal")
        scan = reader.scan(journal, repair=False)
        assert details["judgment_id"] in scan.aborted  # recovery will never resurrect it

        private_pg.start()
        deadline = time.monotonic() + 10
        while client.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, "did not recover within 10 s"
            time.sleep(0.2)
        r = client.post("/judge", json={"content": "c = 3"})
        assert r.status_code == 200
        with psycopg.connect(private_pg.url) as conn:
            ids = {row[0] for row in conn.execute("SELECT judgment_id::text FROM judgments")}
        assert details["judgment_id"] not in ids and r.get_json()["judgment_id"] in ids


def test_unwritable_home_refuses_to_start(tmp_path, database_url):
    import pytest

    from cynic_app.node.errors import HomeUnusable

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(HomeUnusable, match="cannot create CYNIC_HOME"):
        create_app(Config(home=blocker / "home", database_url=database_url))


def test_a_4xx_while_the_database_is_down_still_writes_nothing(private_pg, home):
    config = Config(home=home, database_url=private_pg.url, node="n", startup_timeout_s=5)
    with serving(config) as app:
        app.test_client().post("/judge", json={"content": "a = 1"})
        before = persisted_snapshot(home, private_pg.url)
        private_pg.stop()
        assert app.test_client().post("/judge", json={"content": 7}).status_code == 422
        private_pg.start()
        assert persisted_snapshot(home, private_pg.url) == before


def test_a_stalled_database_gets_an_honest_503_within_2_s_not_a_hang(private_pg, home):
    """Review finding: with PostgreSQL stopped (SIGSTOP) — or a network that holds packets — a
    request on a connection already checked out waited for ever: no client-side bound."""
    config = Config(home=home, database_url=private_pg.url, node="n", startup_timeout_s=5)
    with serving(config) as app:
        client = app.test_client()
        ok = client.post("/judge", json={"content": "a = 1"})
        assert ok.status_code == 200
        private_pg.freeze()
        try:
            for send in (
                lambda: client.post("/judge", json={"content": "b = 2"}),
                lambda: client.get(f"/judge/{ok.get_json()['judgment_id']}"),
                lambda: client.get("/ready"),
            ):
                started = time.monotonic()
                r = send()
                elapsed = time.monotonic() - started
                assert r.status_code == 503 and elapsed < 2.5, (r.status_code, elapsed)
        finally:
            private_pg.thaw()
        back = time.monotonic()
        while client.post("/judge", json={"content": "c = 3"}).status_code != 200:
            assert time.monotonic() - back < 5, "writes did not resume within 5 s"
            time.sleep(0.2)


@pytest.mark.parametrize("mode", ["ACCESS EXCLUSIVE", "SHARE"])
def test_a_table_locked_against_writes_makes_the_node_not_ready(config, mode):
    """Review finding: with judgments locked by another session (a migration's ALTER TABLE, a
    CREATE INDEX without CONCURRENTLY) every write waited out its bound and answered 503, while
    /ready said 200 (its check was SELECT 1). A load balancer kept sending writes to the node."""
    with serving(config) as app:
        client = app.test_client()
        assert client.get("/ready").status_code == 200
        with psycopg.connect(config.database_url) as holder:
            holder.execute(f"LOCK TABLE judgments IN {mode} MODE")  # held until the block ends
            _not_ready_for_a_lock(client)
        assert client.get("/ready").status_code == 200


def _not_ready_for_a_lock(client) -> None:
    """/ready answers 503 within its bound, naming a lock."""
    started = time.monotonic()
    r = client.get("/ready")
    assert r.status_code == 503 and time.monotonic() - started < 2.5
    database = r.get_json()["checks"]["database"]
    assert database["ok"] is False and "lock" in database["error"], database


def test_this_writers_counter_rows_locked_by_another_session_make_the_node_not_ready(config):
    """Review: a session holding this writer's state_counters rows (SELECT … FOR UPDATE, an
    UPDATE left in an open transaction) made every write wait out its bound and answer 503,
    while /ready said 200: its check took table locks only, and row locks do not conflict
    with them."""
    with serving(config) as app:
        client = app.test_client()
        assert client.post("/judge", json={"content": "c = 3"}).status_code == 200  # its rows exist
        assert client.get("/ready").status_code == 200
        with psycopg.connect(config.database_url) as holder:
            held = holder.execute("SELECT shard FROM state_counters FOR UPDATE").fetchall()
            assert held
            _not_ready_for_a_lock(client)
        assert client.get("/ready").status_code == 200
