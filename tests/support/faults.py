"""Deliberate faults where a real part cannot be had on demand: a disk that fails one write or
fsync (through the durability layer's ``fs`` seam), a connection that dies at a chosen moment."""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager

from psycopg_pool import PoolTimeout

from cynic_app.durability.fsio import FS
from cynic_app.store.deadline import cut


class FailingFS(FS):
    """Fail the nth write (half of it written, then ENOSPC), fsync or directory fsync (EIO).

    Counters count every call, so a test can aim at "the next write" (``fail_write_at =
    writes + 1``). ``unlinked`` lists deleted paths in order.
    """

    def __init__(
        self, *, fail_write_at=None, fail_fsync_at=None, fail_dir_fsync_at=None, fail_truncate=False
    ):
        self.writes = self.fsyncs = self.dir_fsyncs = 0
        self.fail_write_at, self.fail_fsync_at = fail_write_at, fail_fsync_at
        self.fail_dir_fsync_at, self.fail_truncate = fail_dir_fsync_at, fail_truncate
        self.unlinked = []

    def write_all(self, fd, data):
        self.writes += 1
        if self.writes == self.fail_write_at:
            os.write(fd, data[: len(data) // 2])  # a partial write, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        super().write_all(fd, data)

    def fsync(self, fd):
        self.fsyncs += 1
        if self.fsyncs == self.fail_fsync_at:
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

    ``fail_next(when)``: "connect" (no connection in time: PoolTimeout), "before_commit" (the
    connection drops while the statements run), "during_commit" (the connection is cut right as
    COMMIT is sent: the transaction does not commit, and the client cannot know). The fault is
    real: the connection's socket is shut down, as a dying network or server would.
    """

    def __init__(self, pool):
        self._pool = pool
        self._fail: str | None = None

    def fail_next(self, when: str) -> None:
        self._fail = when

    def __getattr__(self, name):
        return getattr(self._pool, name)

    @contextmanager
    def connection(self, timeout=None):
        fail, self._fail = self._fail, None
        if fail == "connect":
            raise PoolTimeout("injected: no connection within the timeout")
        with self._pool.connection(timeout=timeout) as conn:
            yield _FaultyConnection(conn, fail) if fail else conn


class _FaultyConnection:
    def __init__(self, conn, fail: str):
        self._conn, self._fail = conn, fail

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def execute(self, *args, **kwargs):
        if self._fail == "before_commit":
            cut(self._conn)
        return self._conn.execute(*args, **kwargs)

    @contextmanager
    def transaction(self):
        with self._conn.transaction() as tx:
            yield tx
            if self._fail == "during_commit":
                cut(self._conn)  # leaving the block sends COMMIT on a dead connection
