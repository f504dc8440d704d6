"""Long bodies are compressed with lz4 where the server has it, and asking for it takes no lock:
a node starting (or a migration) never stops nodes already serving (review of ea5e69f, whose
column-level ALTER deadlocked with their reads and queued behind any open transaction)."""

from __future__ import annotations

import subprocess
import sys
import threading

import psycopg
import psycopg.sql

from cynic_app.store import pool as store_pool
from cynic_app.store.migrations import MIGRATIONS, migrate
from cynic_app.store.repository import get_judgment

from .test_repository import judgment_record, store

LONG = "\n".join(f"def f{i}(a, b):\n    return a * {i} + b" for i in range(800))


def server_has_lz4(conn) -> bool:
    row = conn.execute(
        "SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    ).fetchone()
    return bool(row and row[0])


def stored_method(conn, judgment_id: str) -> str:
    return conn.execute(
        "SELECT pg_column_compression(body) FROM judgments WHERE judgment_id = %s", (judgment_id,)
    ).fetchone()[0]


def test_a_connection_of_ours_stores_a_long_body_with_lz4(database_url):
    with store_pool.connect(database_url) as conn:
        migrate(conn)
        judgment, rows = judgment_record(LONG)
        store(conn, [rows])
        assert stored_method(conn, judgment["judgment_id"]) == ("lz4" if server_has_lz4(conn) else "pglz")
        assert get_judgment(conn, judgment["judgment_id"])["judgment"] == judgment


def test_the_pools_connections_ask_for_lz4(database_url):
    pool = store_pool.make_pool(database_url, min_size=1, max_size=2, timeout_s=5)
    pool.open(wait=True)
    try:
        with pool.connection() as conn:
            expected = "lz4" if server_has_lz4(conn) else "pglz"
            assert conn.execute("SHOW default_toast_compression").fetchone()[0] == expected
    finally:
        pool.close()


def test_the_newest_migration_applies_beside_an_open_transaction_on_every_table(database_url, monkeypatch):
    """A node starts (and migrates) while others serve and, say, pg_dump holds its snapshot: the
    newest migration must not wait for, nor stop, readers of judgments and perceptions."""
    import cynic_app.store.migrations as migrations

    with psycopg.connect(database_url, autocommit=True) as conn:
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:-1])
        migrate(conn)
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    reader_in, done = threading.Event(), threading.Event()

    def read_and_hold() -> None:
        with psycopg.connect(database_url) as reader:  # a transaction, open until told
            reader.execute("SELECT count(*) FROM judgments JOIN perceptions USING (judgment_id)")
            reader_in.set()
            done.wait(30)

    holder = threading.Thread(target=read_and_hold)
    holder.start()
    try:
        assert reader_in.wait(10)
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '1s'")
            assert migrate(conn) == [MIGRATIONS[-1][0]]
    finally:
        done.set()
        holder.join()


def test_a_judgment_written_through_the_service_is_stored_with_lz4(client, database_url):
    answer = client.post("/judge", json={"content": LONG, "reality": "CODE"})
    assert answer.status_code == 200, answer.get_json()
    with psycopg.connect(database_url) as conn:
        expected = "lz4" if server_has_lz4(conn) else "pglz"
        assert stored_method(conn, answer.get_json()["judgment_id"]) == expected


def test_an_operators_own_setting_is_kept(database_url):
    """A database (or role, or server) told to use pglz keeps it: only the built-in default is
    overridden (review of 87a0635: a session of ours overrode ALTER DATABASE … SET)."""
    with psycopg.connect(database_url, autocommit=True) as admin:
        name = admin.info.dbname
        admin.execute(
            psycopg.sql.SQL("ALTER DATABASE {} SET default_toast_compression = 'pglz'").format(
                psycopg.sql.Identifier(name)
            )
        )
    with store_pool.connect(database_url) as conn:
        assert conn.execute("SHOW default_toast_compression").fetchone()[0] == "pglz"
        migrate(conn)
        judgment, rows = judgment_record(LONG)
        store(conn, [rows])
        assert stored_method(conn, judgment["judgment_id"]) == "pglz"


def test_behind_pgbouncer_no_session_setting_is_made(database_url):
    """Behind PgBouncer a session setting would stay on whichever server connection ran it and
    miss the others (review of 87a0635): the role's setting does it there, as the statement
    timeout's does."""
    with store_pool.connect(database_url, pgbouncer=True) as conn:
        assert conn.execute("SHOW default_toast_compression").fetchone()[0] == "pglz"
    pool = store_pool.make_pool(database_url, min_size=1, max_size=1, timeout_s=5, pgbouncer=True)
    pool.open(wait=True)
    try:
        with pool.connection() as conn:
            assert conn.execute("SHOW default_toast_compression").fetchone()[0] == "pglz"
    finally:
        pool.close()


def test_start_up_connections_start_no_thread(database_url):
    """The gunicorn master opens the node with store.pool.connect before it forks its workers:
    that must not start the timer thread (review of 87a0635: the master forked with two)."""
    code = (
        "import sys, threading\n"
        "from cynic_app.store.pool import connect\n"
        "with connect(sys.argv[1]) as conn:\n"
        "    conn.execute('SELECT 1')\n"
        "print(threading.active_count())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, database_url], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "1", out.stderr
