"""store/pool.py's checkouts_by: the pool's check of a connection ends by the caller's
deadline, and a connection whose check was cut is never handed out."""

from __future__ import annotations

import time

import psycopg
import pytest
from psycopg_pool import ConnectionPool, PoolTimeout

from cynic_app.store.pool import checkouts_by, make_pool


@pytest.fixture
def pool(database_url):
    pool = make_pool(database_url, min_size=1, max_size=1, timeout_s=1.0)
    pool.open(wait=True)
    yield pool
    pool.close()


def test_a_check_cut_after_it_passed_does_not_hand_the_connection_out(pool, monkeypatch):
    """Review of 656c539: the cut runs in the timer thread, and it can come just after the
    check's empty query has come back (with a deadline of a few milliseconds, as near the end
    of a batch's budget, a stress test saw 1 in about 20,000 checkouts). The check then passed,
    and the pool handed out a connection whose socket was shut down: its first statement
    failed. Here the check is made to outlast its deadline after its query succeeded."""
    real = ConnectionPool.check_connection

    def passes_then_lingers(conn):
        real(conn)
        time.sleep(0.1)  # the cut fires now, after the query came back

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(passes_then_lingers))
    try:
        with checkouts_by(time.monotonic() + 0.03):
            conn = pool.getconn(timeout=0.3)
    except PoolTimeout:
        return  # refused in time: the honest outcome
    try:
        conn.execute("SELECT 1")  # whatever the pool hands out works
    finally:
        pool.putconn(conn)


def test_no_deadline_is_left_behind(pool):
    """A deadline ends with its block, even one that raised: the next checkout has its own."""
    with pytest.raises(PoolTimeout), checkouts_by(time.monotonic() - 1):
        pool.getconn(timeout=0.05)  # no time left: the check refuses, the pool gives up
    with pool.connection(timeout=1.0) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_connection_refused_for_lack_of_time_stays_usable(pool):
    with pytest.raises(PoolTimeout), checkouts_by(time.monotonic() - 1):
        pool.getconn(timeout=0.05)
    with pool.connection(timeout=1.0) as conn:  # the pool's one connection, kept
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert pool.get_stats().get("connections_lost", 0) == 0


def test_connections_killed_while_idle_are_passed_over_within_one_checkout(database_url):
    """Review finding: after pg_terminate_backend killed every connection of a node (a failover,
    an operator's cleanup), each idle one was found dead only when handed out, and psycopg_pool
    sleeps after a second failed check (its reconnection backoff, cut to the caller's timeout),
    then gives up without looking at the pool again: every write that met two dead connections
    in a row answered 503, for 1.5 to 2 s after such a storm here (3 to 7 s in an earlier run)."""
    pool = make_pool(database_url, min_size=4, max_size=4, timeout_s=1.0)
    pool.open(wait=True)
    try:
        with psycopg.connect(database_url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = 'cynic_app'"
            ).fetchone()[0]
        assert killed == 4
        time.sleep(0.2)  # their sockets have the server's FATAL and end
        with pool.connection(timeout=1.0) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert pool.get_stats()["connections_lost"] >= 2
    finally:
        pool.close()
