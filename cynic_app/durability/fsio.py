"""The file-system calls durability depends on, behind one small seam.

Every writer in this package (journal, repair, settling, guidance, checkpoint) performs its I/O
through an ``FS`` object, so a test can substitute a layer that records writes and syncs and
simulates power loss at any sync point, or fails a chosen call the way a full or failing disk
does. ``OS_FS`` is the real thing. Nothing else in the package calls os.write, os.fsync,
os.replace, os.unlink, os.mkdir or os.rmdir directly.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

_TEMPORARIES = itertools.count()


class FS:
    """Real file-system operations (the default)."""

    def open_append(self, path: Path) -> int:
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)

    def create(self, path: Path) -> int:
        """Open a new file for writing; raise FileExistsError if path exists."""
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o640)

    def write_all(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def truncate(self, fd: int, size: int) -> None:
        os.ftruncate(fd, size)

    def close(self, fd: int) -> None:
        os.close(fd)

    def dup(self, fd: int) -> int:
        return os.dup(fd)

    def replace(self, src: Path, dst: Path) -> None:
        os.replace(src, dst)

    def fsync_dir(self, directory: Path) -> None:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def mkdir(self, path: Path) -> None:
        os.mkdir(path, 0o750)

    def rmdir(self, path: Path) -> None:
        os.rmdir(path)

    def mkstemp(self, directory: Path, prefix: str) -> tuple[int, Path]:
        """Create a new temporary file ``<prefix><pid>.<n>.tmp`` in directory (mode 0640)."""
        path = Path(directory) / f"{prefix}{os.getpid()}.{next(_TEMPORARIES)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        try:
            return os.open(path, flags, 0o640), path
        except FileExistsError:
            # Left by a killed process whose pid this one reuses: nobody else can own the name.
            os.unlink(path)
            return os.open(path, flags, 0o640), path

    def unlink(self, path: Path) -> None:
        os.unlink(path)


OS_FS = FS()


def atomic_write(path: Path, data: bytes, *, fs: FS = OS_FS) -> None:
    """Replace path with data so that any reader sees the old or the new file, whole.

    Order (each step MUST finish before the next): write a temporary file in the same
    directory, fsync it, rename it over path, fsync the directory so the rename survives
    power loss. On failure the temporary file is removed and the old file is untouched.
    """
    install(write_temporary(path, data, fs=fs), path, fs=fs)


def write_temporary(path: Path, data: bytes, *, fs: FS = OS_FS) -> Path:
    """The first half of atomic_write: a temporary file beside path holding data, fsynced and
    closed; nobody reads it until ``install`` renames it (or the caller removes it). On failure
    it is removed."""
    fd, tmp = fs.mkstemp(path.parent, f".{path.name}.")
    try:
        try:
            fs.write_all(fd, data)
            fs.fsync(fd)
        finally:
            fs.close(fd)
    except BaseException:
        _remove_quietly(tmp, fs)
        raise
    return tmp


def install(tmp: Path, path: Path, *, fs: FS = OS_FS) -> None:
    """The second half of atomic_write: rename tmp over path, then fsync the directory."""
    try:
        fs.replace(tmp, path)
    except BaseException:
        _remove_quietly(tmp, fs)
        raise
    fs.fsync_dir(path.parent)


def remove_temporary(tmp: Path, *, fs: FS = OS_FS) -> None:
    """Remove a temporary file that will not be installed (gone already is fine)."""
    _remove_quietly(tmp, fs)


def remove_temporaries(directory: Path, *, fs: FS = OS_FS) -> int:
    """Delete the temporary files atomic_write left behind when its process died; return how
    many. Only when no atomic_write can be running in directory (start-up)."""
    removed = 0
    for path in Path(directory).glob(".*.tmp"):
        fs.unlink(path)
        removed += 1
    return removed


def make_dir_durable(path: Path, *, fs: FS = OS_FS) -> None:
    """Create directory path if missing and make its name durable (its parent MUST exist).

    A directory entry survives power loss only once its parent is fsynced; the parent is fsynced
    even when path already existed, since whoever created it may have died before doing so.
    """
    try:
        fs.mkdir(path)
    except FileExistsError:
        pass  # made by an earlier run; its entry is made durable below all the same
    fs.fsync_dir(path.parent)


def _remove_quietly(tmp: Path, fs: FS) -> None:
    try:
        fs.unlink(tmp)
    except FileNotFoundError:
        pass  # already renamed or never created: nothing to clean up
