"""The per-process connection pool (psycopg_pool), opened after gunicorn forks."""

from __future__ import annotations

import os

import psycopg
from psycopg_pool import ConnectionPool

from .. import settings
from .deadline import bounded

#: Set when the database URL points at PgBouncer in transaction pooling (docs/deployment.md).
PGBOUNCER_ENV = "CYNIC_PGBOUNCER"

#: libpq gives up on a connection attempt after this (its minimum is 2 s).
CONNECT_TIMEOUT_S = 2


def connection_kwargs(*, statement_timeout_ms: int) -> dict:
    """Settings every connection of ours uses: autocommit, bounded waits, dead peers detected.

    Autocommit, so that ``with conn.transaction():`` is always a real BEGIN … COMMIT: on a
    connection that is already in a transaction it would only be a savepoint, and whatever the
    caller did next (delete a journal, acknowledge) would precede the real commit.

    Behind PgBouncer (CYNIC_PGBOUNCER) there is no ``options`` startup parameter, which PgBouncer
    refuses: the statement timeout is then the database role's (ALTER ROLE … SET
    statement_timeout), and psycopg prepares no statements, since each transaction may run on
    another server connection.
    """
    kwargs = {
        "autocommit": True,
        "connect_timeout": CONNECT_TIMEOUT_S,
        "application_name": "cynic_app",
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 2,
        "tcp_user_timeout": 5000,
    }
    if settings.boolean(os.environ, PGBOUNCER_ENV, False):
        kwargs["prepare_threshold"] = None
    else:
        kwargs["options"] = f"-c statement_timeout={statement_timeout_ms}"
    return kwargs


#: A connection the pool hands out is checked first; a server that does not answer the check
#: within this is taken for dead (without it, a stalled server hangs the checkout for ever).
CHECK_DEADLINE_S = 1.0


def check_connection(conn: psycopg.Connection) -> None:
    """psycopg_pool's check (one empty query), under a client-side deadline."""
    with bounded(conn, CHECK_DEADLINE_S):
        ConnectionPool.check_connection(conn)


def make_pool(
    url: str, *, min_size: int, max_size: int, timeout_s: float, statement_timeout_ms: int = 5000
) -> ConnectionPool:
    """Create a closed pool; the caller opens it in the process that will use it."""
    return ConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout_s,
        open=False,
        check=check_connection,
        kwargs=connection_kwargs(statement_timeout_ms=statement_timeout_ms),
        # Give up a background reconnect loop quickly: its backoff doubles, so a long loop would
        # notice a returning database late. After giving up, the next request that needs a
        # connection starts a fresh attempt at once.
        reconnect_timeout=2.0,
        name="cynic",
    )


def connect(url: str, *, statement_timeout_ms: int = 0) -> psycopg.Connection:
    """One plain autocommit connection, for start-up work and the CLI (no pool)."""
    return psycopg.connect(url, **connection_kwargs(statement_timeout_ms=statement_timeout_ms))
