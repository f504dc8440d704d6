"""Repair a torn tail: keep the original, cut the torn bytes, make the cut durable."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..fsio import FS, OS_FS


def broken_copy_path(path: Path) -> Path:
    """Return a fresh ``<segment>.broken[.N]`` path (earlier copies are never overwritten)."""
    candidate = path.with_name(path.name + ".broken")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.broken.{n}")
        n += 1
    return candidate


def repair_tail(path: Path, good_bytes: int, *, fs: FS = OS_FS) -> Path:
    """Copy path to a .broken file, truncate path to good_bytes, fsync both; return the copy."""
    backup = broken_copy_path(path)
    shutil.copyfile(path, backup)
    fd = os.open(backup, os.O_RDONLY)
    try:
        fs.fsync(fd)
    finally:
        os.close(fd)
    fd = os.open(path, os.O_WRONLY)
    try:
        fs.truncate(fd, good_bytes)
        fs.fsync(fd)
    finally:
        os.close(fd)
    fs.fsync_dir(path.parent)
    return backup
