"""Client-side deadlines for database calls: a call that overstays has its connection cut.

``statement_timeout`` is enforced by the server, so it cannot help when the server (or the
network, or PgBouncer in front of a dead server) stops answering: the call then waits on its
socket for as long as TCP keeps the connection, or for ever on a Unix socket. A request must
answer within about two seconds, so every database call on the request path runs under a
deadline: one watchdog thread per process shuts the socket down when a deadline passes, which
makes the blocked call fail at once with ``psycopg.OperationalError`` (classified by the caller:
before COMMIT, the write did not happen; during COMMIT, its outcome is unknown). The pool
discards the broken connection.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

log = logging.getLogger(__name__)


class Watchdog:
    """Cuts connections whose deadline passed. One per process; started on first use."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, psycopg.Connection]] = []
        self._armed: set[int] = set()
        self._ids = itertools.count()
        self._pid: int | None = None
        self.cuts = 0

    @contextmanager
    def bounded(self, conn: psycopg.Connection, seconds: float) -> Iterator[psycopg.Connection]:
        """Run the block with conn; if it takes longer than seconds, conn is cut."""
        token = self._arm(conn, seconds)
        try:
            yield conn
        finally:
            with self._cond:
                self._armed.discard(token)

    def _arm(self, conn: psycopg.Connection, seconds: float) -> int:
        with self._cond:
            if self._pid != os.getpid():  # first use in this process (threads do not survive fork)
                self._pid = os.getpid()
                self._heap, self._armed = [], set()
                threading.Thread(target=self._run, name="db-deadlines", daemon=True).start()
            token = next(self._ids)
            self._armed.add(token)
            heapq.heappush(self._heap, (time.monotonic() + seconds, token, conn))
            self._cond.notify()
            return token

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                _, token, conn = heapq.heappop(self._heap)
                if token not in self._armed:
                    continue  # finished in time
                self._armed.discard(token)
                cut(conn)  # under the lock: the call cannot finish and hand conn on meanwhile
                self.cuts += 1


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


WATCHDOG = Watchdog()
bounded = WATCHDOG.bounded
