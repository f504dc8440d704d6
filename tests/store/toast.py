"""How many blocks of judgments' TOAST table a read touches: a body stored out of line is read
whole by every function that takes it, so a query that names the stored column n times reads
it n times (docs/performance.md, "A body read once")."""

from __future__ import annotations

import random
from collections.abc import Callable

import psycopg
import pytest

ONCE = "SELECT sum(length(body::text)) FROM judgments"  # every stored body, read once


def large_content(seed: int) -> str:
    """About 30 KB of Python that stays large compressed: its judgment is stored out of line."""
    rng = random.Random(seed)
    return "".join(f"name_{rng.getrandbits(40):x} = {rng.getrandbits(30)}\n" for _ in range(800))


def toast_blocks_read_by(conn: psycopg.Connection, read: Callable[[psycopg.Connection], object]) -> int:
    """The blocks of judgments' TOAST table that read(conn) touched: this backend's statistics,
    flushed once it is idle again after pg_stat_force_next_flush (PostgreSQL 15 and newer)."""
    if conn.info.server_version < 150000:
        pytest.skip("pg_stat_force_next_flush needs PostgreSQL 15")

    def counted() -> int:
        conn.execute("SELECT pg_stat_force_next_flush()")  # flushed when this statement ends
        return conn.execute(
            "SELECT coalesce(toast_blks_hit, 0) + coalesce(toast_blks_read, 0)"
            " FROM pg_statio_user_tables WHERE relname = 'judgments'"
        ).fetchone()[0]

    before = counted()
    read(conn)
    return counted() - before
