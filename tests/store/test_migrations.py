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
