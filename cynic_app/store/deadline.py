"""Client-side deadlines for database calls: a call that overstays has its connection cut.

``statement_timeout`` is enforced by the server, so it cannot help when the server (or the
network, or PgBouncer in front of a dead server) stops answering: the call then waits on its
socket for as long as TCP keeps the connection, or for ever on a Unix socket. A request must
answer within about two seconds, so every database call on the request path runs under a
deadline: the process's timer thread shuts the socket down when a deadline passes, which
makes the blocked call fail at once with ``psycopg.OperationalError`` (classified by the caller:
before COMMIT, the write did not happen; during COMMIT, its outcome is unknown). The pool
discards the broken connection.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from ..timers import TIMERS

log = logging.getLogger(__name__)


@contextmanager
def bounded(conn: psycopg.Connection, seconds: float) -> Iterator[psycopg.Connection]:
    """Run the block with conn; if it takes longer than seconds, conn is cut.

    The cut runs in the process's timer thread (cynic_app/timers.py); leaving the block cancels
    it, and once cancelled it cannot run, so conn is never cut after the block handed it on.
    """
    with watched(conn, seconds):
        yield conn


@contextmanager
def watched(conn: psycopg.Connection, seconds: float) -> Iterator[threading.Event]:
    """``bounded``, telling whether the cut came: an event set once conn was cut. The block and
    the timer thread race, so a block can end well just before its cut fires and leave conn cut
    after a success: read the event after the block (leaving it waits for a cut under way)."""
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        cut(conn)

    token = TIMERS.schedule(time.monotonic() + seconds, fire)
    try:
        yield fired
    finally:
        TIMERS.cancel(token)


def cut(conn: psycopg.Connection) -> None:
    """Shut the connection's socket down, so that whoever waits on it fails now."""
    try:
        fd = conn.pgconn.socket
    except psycopg.OperationalError:
        return  # already closed
    sock = socket.socket(fileno=os.dup(fd))
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError as exc:  # not connected any more: nobody is waiting on it
        log.warning("could not cut a database connection past its deadline: %s", exc)
    finally:
        sock.close()
    log.warning("cut a database connection that overstayed its deadline")
