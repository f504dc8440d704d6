"""Repair a torn tail: keep the original, cut the torn bytes, make the cut durable.

Only ever applied to a *closed* journal (its writer is gone and the repairer holds its lock):
cutting a file that a live writer may still append to is what the one-writer rule forbids.
"""

from __future__ import annotations

from pathlib import Path

from ..fsio import FS, OS_FS
from .layout import broken_copy_path


def repair_tail(path: Path, good_bytes: int, *, fs: FS = OS_FS) -> Path:
    """Copy path to a .broken file, truncate path to good_bytes, fsync both; return the copy.

    Order (each step MUST finish before the next): the copy is written and fsynced and its name
    made durable, so the original bytes survive whatever happens to the cut; then the segment
    is truncated and fsynced.
    """
    backup = broken_copy_path(path)
    data = path.read_bytes()
    fd = fs.create(backup)
    try:
        try:
            fs.write_all(fd, data)
            fs.fsync(fd)
        finally:
            fs.close(fd)
    except BaseException:
        fs.unlink(backup)  # a failed copy (a full disk) is no copy: the next attempt makes a whole one
        raise
    fs.fsync_dir(path.parent)
    fd = fs.open_append(path)
    try:
        fs.truncate(fd, good_bytes)
        fs.fsync(fd)
    finally:
        fs.close(fd)
    return backup
