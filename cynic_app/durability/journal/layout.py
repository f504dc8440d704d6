"""Where journal files live and what they are called (the contract is the package docstring)."""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

SUFFIX = ".jsonl"
LOCK_NAME = "lock"
#: In the journal root: every live writer holds it shared; whoever holds it exclusively knows
#: that no writer of this home is alive (start-up recovery, cynic replay).
WRITERS_LOCK_NAME = "writers.lock"
BROKEN_SUFFIX = ".broken"
_SEGMENT_RE = re.compile(r"^(\d{20})\.jsonl$")
_JOURNAL_RE = re.compile(r"^\d{8}T\d{6}-\d+-[0-9a-f]{8}$")


def segment_name(first_seq: int) -> str:
    return f"{first_seq:020d}{SUFFIX}"


def parse_segment_name(name: str) -> int | None:
    """Return the first seq a segment file name declares, or None for other files."""
    match = _SEGMENT_RE.match(name)
    return int(match.group(1)) if match else None


def list_segments(directory: Path) -> list[tuple[int, Path]]:
    """Return (first_seq, path) for every segment in directory, oldest first."""
    found = []
    for entry in Path(directory).iterdir():
        first = parse_segment_name(entry.name)
        if first is not None:
            found.append((first, entry))
    return sorted(found)


def new_journal_name() -> str:
    """A name no journal of this home had before: UTC creation time, pid, 32 random bits."""
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}-{secrets.token_hex(4)}"


def is_journal_name(name: str) -> bool:
    return _JOURNAL_RE.match(name) is not None


def list_journals(root: Path) -> list[Path]:
    """Return every journal directory under root, oldest first (names sort by creation time)."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(entry for entry in root.iterdir() if is_journal_name(entry.name) and entry.is_dir())


def has_legacy_segments(root: Path) -> bool:
    """True when root itself holds segments: the single shared journal of format version 1."""
    return Path(root).is_dir() and bool(list_segments(root))


def broken_copy_path(path: Path) -> Path:
    """Return a fresh ``<segment>.broken[.N]`` path (earlier copies are never overwritten)."""
    candidate = path.with_name(path.name + BROKEN_SUFFIX)
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}{BROKEN_SUFFIX}.{n}")
        n += 1
    return candidate
