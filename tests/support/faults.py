"""Deliberate faults where a real part cannot be had on demand: a disk that fails one write or
fsync (through the durability layer's ``fs`` seam), a connection that dies at a chosen moment,
a server that stops answering (a proxy in front of it), another process holding a lock."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import PoolTimeout

from cynic_app.durability.fsio import FS
from cynic_app.store.deadline import cut


class FailingFS(FS):
    """Fail the nth write (half of it written, then ENOSPC), fsync or directory fsync (EIO).

    Counters count every call, so a test can aim at "the next write" (``fail_write_at =
    writes + 1``). A temporary file's fsync (atomic_write's first half: the write path runs it
    in a thread beside the batch, at the same time as the journal's fsync) is counted apart, in
    ``temporary_fsyncs`` (``fail_temporary_fsync_at``), so that "the next fsync" is the
    journal's whatever the threads do. ``unlinked`` lists deleted paths in order.
    """

    def __init__(
        self,
        *,
        fail_write_at=None,
        fail_fsync_at=None,
        fail_dir_fsync_at=None,
        fail_truncate=False,
        fail_temporary_fsync_at=None,
    ):
        self.writes = self.fsyncs = self.dir_fsyncs = self.temporary_fsyncs = 0
        self.fail_write_at, self.fail_fsync_at = fail_write_at, fail_fsync_at
        self.fail_dir_fsync_at, self.fail_truncate = fail_dir_fsync_at, fail_truncate
        self.fail_temporary_fsync_at = fail_temporary_fsync_at
        self.unlinked = []
        self._temporaries: set[int] = set()  # descriptors of temporary files, open

    def temporary(self, fd) -> bool:
        """Whether fd is a temporary file's (its fsync counts in ``temporary_fsyncs``)."""
        return fd in self._temporaries

    def mkstemp(self, directory, prefix):
        fd, path = super().mkstemp(directory, prefix)
        self._temporaries.add(fd)
        return fd, path

    def close(self, fd):
        self._temporaries.discard(fd)  # before its number can be reused
        super().close(fd)

    def write_all(self, fd, data):
        self.writes += 1
        if self.writes == self.fail_write_at:
            os.write(fd, data[: len(data) // 2])  # a partial write, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        super().write_all(fd, data)

    def fsync(self, fd):
        if fd in self._temporaries:
            self.temporary_fsyncs += 1
            failing = self.temporary_fsyncs == self.fail_temporary_fsync_at
        else:
            self.fsyncs += 1
            failing = self.fsyncs == self.fail_fsync_at
        if failing:
            raise OSError(errno.EIO, "Input/output error")
        super().fsync(fd)

    def fsync_dir(self, directory):
        self.dir_fsyncs += 1
        if self.dir_fsyncs == self.fail_dir_fsync_at:
            raise OSError(errno.EIO, "Input/output error")
        super().fsync_dir(directory)

    def truncate(self, fd, size):
        if self.fail_truncate:
            raise OSError(errno.EIO, "Input/output error")
        super().truncate(fd, size)

    def unlink(self, path):
        super().unlink(path)
        self.unlinked.append(path)


class FaultyPool:
    """A real psycopg pool whose next transaction fails the way a network or server does.

    ``fail_next(when)``: "connect" (the database is unreachable: connections out are cut and no
    new one comes in time: PoolTimeout), "busy" (every connection stays checked out: the next
    request for one gets PoolTimeout, and the connections out are unharmed), "before_commit"
    (the connection drops while the statements run), "during_commit" (the connection is cut
    right as COMMIT is sent: the transaction does not commit, and the client cannot know). The
    faults are real: the connection's socket is shut down, as a dying network or server would.
    """

    def __init__(self, pool):
        self._pool = pool
        self._fail: list[str] = []
        self._out: list = []

    def fail_next(self, *whens: str) -> None:
        """Arm these faults, each for the next time its moment comes."""
        self._fail += whens
        if "connect" in whens:
            for conn in self._out:
                cut(conn)

    def take(self, when: str) -> bool:
        if when in self._fail:
            self._fail.remove(when)
            return True
        return False

    def __getattr__(self, name):
        return getattr(self._pool, name)

    def _no_connection(self) -> bool:
        return self.take("connect") or self.take("busy")

    def getconn(self, timeout=None):
        if self._no_connection():
            raise PoolTimeout("injected: no connection within the timeout")
        conn = self._pool.getconn(timeout=timeout)
        self._out.append(conn)
        return _FaultyConnection(conn, self)

    def putconn(self, conn):
        real = conn._conn if isinstance(conn, _FaultyConnection) else conn
        self._out = [c for c in self._out if c is not real]
        self._pool.putconn(real)

    @contextmanager
    def connection(self, timeout=None):
        if self._no_connection():
            raise PoolTimeout("injected: no connection within the timeout")
        with self._pool.connection(timeout=timeout) as conn:
            yield _FaultyConnection(conn, self)


class _FaultyConnection:
    def __init__(self, conn, pool: FaultyPool):
        self._conn, self._pool = conn, pool

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def execute(self, query, *args, **kwargs):
        if query == "COMMIT" and self._pool.take("during_commit"):
            cut(self._conn)  # COMMIT goes out on a dead connection: committed or not, who knows
        elif query != "COMMIT" and self._pool.take("before_commit"):
            cut(self._conn)
        return self._conn.execute(query, *args, **kwargs)

    def pipeline(self):
        return self._conn.pipeline()


def flip_a_byte_after_the_first_line(segment) -> None:
    """Corrupt a journal segment in the middle: a byte of its second line flipped."""
    data = bytearray(segment.read_bytes())
    data[data.find(b"\n") + 40] ^= 0xFF
    segment.write_bytes(bytes(data))


_HOLD = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o640)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


@contextmanager
def flock_held(path) -> Iterator[subprocess.Popen]:
    """Another process holding an exclusive flock on path until it is killed (or its stdin
    closes); yields it once it holds the lock (stop it with SIGSTOP to make it a stalled holder)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        if holder.stdout.readline().strip() != "held":
            raise RuntimeError(f"the lock holder exited {holder.wait()} before holding {path}")
        yield holder
    finally:
        holder.kill()
        holder.wait()


class StallingProxy:
    """A TCP proxy on 127.0.0.1 in front of a server, which stops forwarding (both ways, holding
    the bytes, the connections left open) while ``stalled`` is set: a server or network that
    stops answering without closing anything, which no signal to a local server can give."""

    def __init__(self, host: str, port: int):
        # a host that is a directory is PostgreSQL's Unix socket there (libpq's rule)
        unix = host.startswith("/")
        self.target: tuple[str, int] | str = f"{host}/.s.PGSQL.{port}" if unix else (host, port)
        self.stalled = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = [self._listener]
        self._closed = False
        threading.Thread(target=self._accept, name="stalling-proxy", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            if isinstance(self.target, str):
                server = socket.socket(socket.AF_UNIX)
                server.connect(self.target)
            else:
                server = socket.create_connection(self.target)
            self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                while self.stalled.is_set() and not self._closed:
                    time.sleep(0.005)
                sink.sendall(data)
        except OSError:
            pass  # either side went away: the other is closed below
        with contextlib.suppress(OSError):  # already shut down by its peer
            sink.shutdown(socket.SHUT_RDWR)  # one side closed: so is the other (no server left open)

    @classmethod
    def in_front_of(cls, conninfo: str) -> tuple[StallingProxy, str]:
        """A proxy in front of the server of conninfo (TCP or a Unix socket), and the conninfo
        that reaches that server through it."""
        info = conninfo_to_dict(conninfo)
        proxy = cls(info.get("host") or "127.0.0.1", int(info.get("port") or 5432))
        return proxy, make_conninfo(conninfo, host="127.0.0.1", port=proxy.port)

    def close(self) -> None:
        self._closed = True
        for s in self._sockets:
            with contextlib.suppress(OSError):  # not connected (the listener), or already shut down
                s.shutdown(socket.SHUT_RDWR)
            s.close()
