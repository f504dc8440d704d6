"""Migrations apply once, in order, even when several processes start at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg

from cynic_app.store.migrations import MIGRATIONS, migrate, schema_version


def test_a_fresh_database_gets_every_migration_once(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert schema_version(conn) == 0
        assert migrate(conn) == list(range(1, len(MIGRATIONS) + 1))
        assert schema_version(conn) == len(MIGRATIONS)
        assert migrate(conn) == []


def test_processes_starting_together_apply_each_migration_once(database_url):
    barrier = threading.Barrier(4)

    def start() -> list[int]:
        with psycopg.connect(database_url, autocommit=True) as conn:
            barrier.wait(timeout=30)
            return migrate(conn)

    with ThreadPoolExecutor(4) as pool:
        applied = [f.result(timeout=60) for f in [pool.submit(start) for _ in range(4)]]
    assert sorted(v for versions in applied for v in versions) == list(range(1, len(MIGRATIONS) + 1))


def test_bodies_are_compressed_with_lz4_when_the_server_was_built_with_it(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate(conn)
        (has_lz4,) = conn.execute(
            "SELECT coalesce(bool_or('lz4' = ANY (enumvals)), false) FROM pg_settings"
            " WHERE name = 'default_toast_compression'"
        ).fetchone()
        methods = dict(
            conn.execute(
                "SELECT attrelid::regclass::text, attcompression::text FROM pg_attribute"
                " WHERE attrelid IN ('judgments'::regclass, 'perceptions'::regclass) AND attname = 'body'"
            ).fetchall()
        )
    assert methods == {"judgments": "l" if has_lz4 else "", "perceptions": "l" if has_lz4 else ""}
