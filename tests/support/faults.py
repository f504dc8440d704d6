"""Deliberate faults through the durability layer's ``fs`` seam (a real part cannot be had:
a disk that fails one fsync on demand)."""

from __future__ import annotations

import errno
import os

from cynic_app.durability.fsio import FS


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
