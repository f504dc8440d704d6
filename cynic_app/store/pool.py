"""The per-process connection pool (psycopg_pool), opened after gunicorn forks."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ..errors import first_line
from .deadline import bounded, watched

log = logging.getLogger(__name__)

#: libpq gives up on a connection attempt after this (its minimum is 2 s).
CONNECT_TIMEOUT_S = 2


def connection_kwargs(*, statement_timeout_ms: int, pgbouncer: bool) -> dict:
    """Settings every connection of ours uses: autocommit, bounded waits, dead peers detected.

    Autocommit, so that ``with conn.transaction():`` is always a real BEGIN … COMMIT: on a
    connection that is already in a transaction it would only be a savepoint, and whatever the
    caller did next (delete a journal, acknowledge) would precede the real commit.

    Behind PgBouncer (``pgbouncer``: Config.pgbouncer, CYNIC_PGBOUNCER) there is no ``options``
    startup parameter, which PgBouncer refuses: the statement timeout is then the database
    role's (ALTER ROLE … SET statement_timeout), and psycopg prepares no statements, since each
    transaction may run on another server connection.
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
    if pgbouncer:
        kwargs["prepare_threshold"] = None
    else:
        kwargs["options"] = f"-c statement_timeout={statement_timeout_ms}"
    return kwargs


#: A connection the pool hands out is checked first; a server that does not answer the check
#: within this is taken for dead (without it, a stalled server hangs the checkout for ever).
CHECK_DEADLINE_S = 1.0
_checkout = threading.local()  # .deadline: when the checkouts of this thread must have ended


@contextmanager
def checkouts_by(deadline: float) -> Iterator[None]:
    """The pool's checks of the connections this thread takes in the block end by deadline
    (``time.monotonic()``), if that comes before CHECK_DEADLINE_S: the pool's own timeout bounds
    only the wait for a connection, and a request's budget must bound the whole checkout."""
    before = getattr(_checkout, "deadline", None)
    _checkout.deadline = deadline if before is None else min(before, deadline)
    try:
        yield
    finally:
        _checkout.deadline = before


class CheckoutTooLate(Exception):
    """No time is left to check a connection (``checkouts_by``): the pool gives up with
    PoolTimeout once its own timeout passes, and keeps the connection."""


def check_connection(conn: psycopg.Connection) -> None:
    """psycopg_pool's check (one empty query), under a client-side deadline: CHECK_DEADLINE_S,
    or what is left before this thread's ``checkouts_by`` deadline when that is sooner."""
    limit = CHECK_DEADLINE_S
    deadline = getattr(_checkout, "deadline", None)
    if deadline is not None:
        limit = min(limit, deadline - time.monotonic())
        if limit <= 0:
            raise CheckoutTooLate("no time left to check a connection")
    try:
        with watched(conn, limit) as was_cut:
            ConnectionPool.check_connection(conn)
    except psycopg.Error:
        # cut by the caller's deadline: its time ran out, not the server's (no failed check)
        if not (was_cut.is_set() and limit < CHECK_DEADLINE_S):
            raise
    if was_cut.is_set():  # (or it passed just before its cut: never hand out a connection cut since)
        conn.close()  # the pool drops a closed connection
        raise CheckoutTooLate("the check of a connection outlasted its deadline")


#: While every connection fails its check: the first interval between tries (then doubling),
#: and the longest (a fault that ends is noticed within it).
BACKOFF_FIRST_S = 0.02
BACKOFF_MAX_S = 0.25


class Pool(ConnectionPool):
    """psycopg_pool's pool, passing over a connection that fails its check at once, and trying
    new ones at a bounded rate while every one fails.

    psycopg_pool sleeps after a second failed check (its reconnection backoff, cut to the
    caller's timeout) and then gives up without looking at the pool again. After a storm of
    killed connections (``pg_terminate_backend``, a failover) every idle connection is found
    dead only when handed out, so every checkout that met two of them in a row failed, for 1.5
    to 2 s after the storm: writes answered 503 while good connections were being added. Here
    a connection that fails its check is discarded (the pool asks for a new one) and the next
    is taken at once: a server that is down empties the pool, so the caller then waits for a
    connection as any caller does, without spinning.

    Once more checks have failed in a row, pool-wide, than the pool holds connections (all a
    storm can have killed while idle), the connections failing are new ones: a server, or a
    proxy, that takes connections and drops them. The pool then lets one checkout at a time try
    (the breaker's probe), at an interval starting at BACKOFF_FIRST_S and doubling to
    BACKOFF_MAX_S; a checkout whose time ends before the next probe gives up at once
    (PoolTimeout), and the first check that passes closes the breaker. A probe passes over the
    connections idle when it starts (made during the fault, dead, and handed out first) and one
    more: one connection a probe would leave the pool refusing for max_size probes after the
    fault ended. A check cut by the caller's own deadline is no failed check (CheckoutTooLate).
    Each checkout counting and sleeping on its own (2ae65d5) made 200-240 connections a second
    with 16 threads; psycopg_pool's own backoff (60de19e) starts at a second, a caller's whole
    timeout. The time a checkout has (its checks and its wait for a connection) is the pool's
    timeout or the thread's ``checkouts_by`` deadline, the sooner. A check with no time left
    (``CheckoutTooLate``) ends the checkout at once.

    Overrides a private method of psycopg_pool 3.3 (pinned in requirements.txt; its test,
    tests/store/test_checkouts.py, fails if the method stops being called).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._breaker = threading.Lock()
        self._failed_in_a_row = 0  # checks, pool-wide, since one passed
        self._next_probe = 0.0  # time.monotonic() when the next checkout may try a connection
        self._probe_interval = BACKOFF_FIRST_S

    def _getconn_with_check_loop(self, deadline: float) -> psycopg.Connection:
        with checkouts_by(deadline):  # the checks end by the pool's timeout too
            return self._checked_connection(_checkout.deadline)

    def _checked_connection(self, end: float) -> psycopg.Connection:
        passes = 0  # failed checks this checkout, as the probe, may still pass over
        while True:
            if passes <= 0 and self._failed_in_a_row > self.max_size:
                self._wait_for_probe(end)
                # the connections idle now were made before the probe (during a fault, most of
                # them dead, handed out first), then one new: passed over without waiting
                passes = len(self._pool) + 1
            conn = self._getconn_unchecked(end - time.monotonic())
            try:
                self._check_connection(conn)
            except CheckoutTooLate as exc:
                self._putconn(conn, from_getconn=True)  # (kept: it was not found bad)
                raise PoolTimeout(str(exc)) from None
            except psycopg.Error:
                self._putconn(conn, from_getconn=True)  # found bad: discarded, a new one asked for
                with self._breaker:
                    self._failed_in_a_row += 1
                passes -= 1
                continue
            except BaseException:
                self._putconn(conn, from_getconn=True)
                raise
            if self._failed_in_a_row:
                with self._breaker:
                    self._failed_in_a_row = 0
                    self._probe_interval = BACKOFF_FIRST_S
            return conn

    def _wait_for_probe(self, end: float) -> None:
        """Return when this checkout may try a connection (the next probe is its); raise
        PoolTimeout at once when that comes after end."""
        while True:
            with self._breaker:
                now = time.monotonic()
                if self._failed_in_a_row <= self.max_size:
                    return  # closed meanwhile: a check passed
                wait = self._next_probe - now
                if wait <= 0:
                    self._next_probe = now + self._probe_interval
                    self._probe_interval = min(2 * self._probe_interval, BACKOFF_MAX_S)
                    return
            if now + wait >= end:
                failed = self._failed_in_a_row
                raise PoolTimeout(f"{failed} connection checks in a row failed; next try in {wait:.2f} s")
            time.sleep(wait)


#: Compress what this session stores with lz4 where the server has it (PostgreSQL 14 or newer,
#: built with lz4) and nobody chose otherwise (the server's, the database's or the role's own
#: setting is kept); else the query changes nothing.
_PREFER_LZ4 = """
SELECT set_config('default_toast_compression', 'lz4', false)
 WHERE EXISTS (SELECT FROM pg_settings
                WHERE name = 'default_toast_compression' AND source = 'default' AND 'lz4' = ANY (enumvals))
"""


def prefer_lz4(conn: psycopg.Connection) -> None:
    """Have this session compress the values it stores with lz4 (a judgment's body holds its
    content, and PostgreSQL compresses a value past about 2 KB): for a 20 KB body, pglz took
    more than twice lz4's time (docs/performance.md). A session setting, not a column's: no
    table lock is taken, so nodes already serving are not stopped, and rows stored before keep
    what they have. Not behind PgBouncer, where a session setting would stay on whichever server
    connection ran it, shared with other clients, and miss the others: there the role's setting
    does it, as it does the statement timeout (docs/deployment.md)."""
    conn.execute(_PREFER_LZ4)


def _configure(conn: psycopg.Connection) -> None:
    """A new pool connection (in a worker, which has its timer thread): under a deadline."""
    with bounded(conn, CHECK_DEADLINE_S):
        prefer_lz4(conn)


def make_pool(
    url: str,
    *,
    min_size: int,
    max_size: int,
    timeout_s: float,
    statement_timeout_ms: int = 5000,
    pgbouncer: bool = False,
) -> Pool:
    """Create a closed pool; the caller opens it in the process that will use it."""
    return Pool(
        url,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout_s,
        open=False,
        check=check_connection,
        configure=None if pgbouncer else _configure,
        kwargs=connection_kwargs(statement_timeout_ms=statement_timeout_ms, pgbouncer=pgbouncer),
        # Give up a background reconnect loop quickly: its backoff doubles, so a long loop would
        # notice a returning database late. After giving up, the next request that needs a
        # connection starts a fresh attempt at once.
        reconnect_timeout=2.0,
        name="cynic",
    )


def connect(url: str, *, statement_timeout_ms: int = 0, pgbouncer: bool = False) -> psycopg.Connection:
    """One plain autocommit connection, for start-up work and the CLI (no pool)."""
    conn = psycopg.connect(
        url, **connection_kwargs(statement_timeout_ms=statement_timeout_ms, pgbouncer=pgbouncer)
    )
    if pgbouncer:
        return conn
    try:
        # No client-side deadline here: start-up runs in the gunicorn master, which must not start
        # the timer thread before it forks (its other start-up statements have none either).
        prefer_lz4(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def wait_for_database(url: str, *, timeout_s: float, pgbouncer: bool = False) -> psycopg.Connection:
    """Connect (autocommit), retrying until timeout_s; raise the last error when the time is up."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return connect(url, pgbouncer=pgbouncer)
        except psycopg.OperationalError as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("database not reachable yet (%s); retrying", first_line(exc))
            time.sleep(1.0)
