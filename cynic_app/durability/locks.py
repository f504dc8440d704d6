"""File locks (``flock``): released when the holder lets go, closes its descriptor or dies.

Every lock of cynic_app is taken here, in three forms:

- ``exclusive`` and ``hold`` (filelock, the design card's choice): a lock on a fixed path of the
  home that one holder takes whole, ``node.lock`` (the serving process's life) and the metrics'
  ``.merge.lock`` (moments);
- a descriptor a journal's writer keeps for as long as it holds the lock (``try_lock``,
  ``share``, ``release``): a journal's ``lock`` (its writer's whole life: a free lock is how
  everyone else knows the writer is gone) and ``writers.lock``, held *shared* by every writer.
  filelock has no shared mode, and it creates a missing lock's directories and truncates the
  file, where a settler deleting a journal must find it gone (closed.py);
- ``HeldLock``, when the threads of a process share one lock taken and let go again and again,
  waited for within a bound without polling (``guidance.json.lock``), which filelock's polling
  acquire cannot do.

flock conflicts between *open files*, so a second open of the same path — even in the same
process — cannot take a lock that is held. The descriptor is inherited across fork, so a process
MUST NOT fork while it holds one it means to release.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

log = logging.getLogger(__name__)


def try_lock(path: Path, *, create: bool = False) -> int | None:
    """Take an exclusive lock on path without waiting; return its descriptor, or None if held.

    Raise FileNotFoundError when path is missing and create is False.
    """
    flags = os.O_RDWR | os.O_CLOEXEC | (os.O_CREAT if create else 0)
    fd = os.open(path, flags, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def share(path: Path) -> int:
    """Take a shared lock on path (created if missing), waiting while it is held exclusively;
    return its descriptor."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _file_lock(path: Path, *, timeout: float) -> FileLock:
    # thread_local=False: the thread that lets go need not be the one that took it (a worker's
    # close); no soft fallback (a lock file that outlives a killed holder); the file is kept.
    return FileLock(
        path,
        timeout=timeout,
        mode=0o640,
        thread_local=False,
        fallback_to_soft=False,
        preserve_lock_file=True,
    )


def exclusive(path: Path) -> FileLock | None:
    """Take an exclusive lock on path (created if missing) without waiting: the held lock, to
    ``release()``, or None if another holder has it."""
    lock = _file_lock(Path(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return None
    return lock


@contextmanager
def hold(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on path (created if missing) for the block, waiting as long as it
    takes: for holders that keep it for moments only."""
    with _file_lock(Path(path), timeout=-1):
        yield


def release(fd: int) -> None:
    """Give the lock up (closing the descriptor releases it)."""
    os.close(fd)


class HeldLock:
    """An exclusive lock on path, held on a descriptor kept open, taken within a bound.

    Safe across the threads of a process (one of them holds it at a time); opened again in a
    forked child. Waiting is not polling: when another process holds the lock, a thread of its
    own (the *taker*) sleeps in the kernel's flock until the holder lets go, then hands the lock
    to a thread still waiting — or gives it up at once if every waiter gave up meanwhile, so
    a waiter that times out never leaves the lock held behind it.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None
        self._pid: int | None = None
        self._cond = threading.Condition()
        self._owned = False  # a thread of this process holds the lock
        self._taking = False  # the taker sleeps in flock
        self._taken = False  # the taker holds the lock for a waiter to claim
        self._waiting = 0
        self._error: OSError | None = None  # what stopped the taker, for its waiters

    def acquire(self, timeout_s: float) -> bool:
        """Take the lock; False when it is still held elsewhere after timeout_s."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            if self._pid != os.getpid():
                self._open()
            self._waiting += 1
            try:
                while True:
                    if self._taken:
                        self._taken, self._owned = False, True
                        return True
                    if self._error is not None:
                        error, self._error = self._error, None
                        raise error
                    if not self._owned and not self._taking:
                        try:
                            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        except BlockingIOError:
                            self._start_taker()
                        else:
                            self._owned = True
                            return True
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._cond.wait(remaining)
            finally:
                self._waiting -= 1

    def release(self) -> None:
        with self._cond:
            self._owned = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._cond.notify_all()

    def _open(self) -> None:
        """(Re)open the descriptor in this process: nothing of a parent's lock state applies."""
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
        self._pid = os.getpid()
        self._owned = self._taking = self._taken = False
        self._error = None

    def _start_taker(self) -> None:
        self._taking = True
        try:
            threading.Thread(target=self._take, name="lock-taker", daemon=True).start()
        except BaseException:
            self._taking = False
            raise

    def _take(self) -> None:
        """The taker: wait for the lock in the kernel, then hand it over or give it up."""
        fd = self._fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            with self._cond:
                self._taking = False
                if self._waiting:
                    self._error = exc
                else:
                    log.warning("waiting for %s failed, with nobody waiting any more: %s", self.path, exc)
                self._cond.notify_all()
            return
        with self._cond:
            self._taking = False
            if self._waiting:
                self._taken = True
            else:
                fcntl.flock(fd, fcntl.LOCK_UN)  # nobody wants it any more
            self._cond.notify_all()
