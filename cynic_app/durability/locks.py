"""A long-lived exclusive lock across processes and threads, with a few bytes of shared state.

filelock (used for guidance.json.lock, node.lock, checkpoint.lock) opens and closes its lock
file on every acquire and polls while contended, which is right for locks taken now and then.
The journal takes its locks on every request: there a blocking ``flock`` on a descriptor kept
open is what the hot path needs, and the sync lock also carries state (how far the journal is
known durable) that filelock has no place for.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path


class FileMutex:
    """``with mutex:`` excludes every other thread of every process using the same path."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._threads = threading.Lock()  # flock alone does not exclude threads sharing the fd
        self._fd: int | None = None
        self._pid = os.getpid()

    def _descriptor(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
            self._pid = os.getpid()
        return self._fd

    def __enter__(self) -> FileMutex:
        self._threads.acquire()
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def read_state(self, size: int) -> bytes:
        """Read the shared state (hold the lock)."""
        return os.pread(self._descriptor(), size, 0)

    def write_state(self, data: bytes) -> None:
        """Replace the shared state (hold the lock). Not durable, and it need not be."""
        os.pwrite(self._descriptor(), data, 0)

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None
