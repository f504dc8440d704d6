"""Segment file naming and listing."""

from __future__ import annotations

import re
from pathlib import Path

SUFFIX = ".jsonl"
_NAME_RE = re.compile(r"^(\d{20})\.jsonl$")


def segment_name(first_seq: int) -> str:
    return f"{first_seq:020d}{SUFFIX}"


def parse_segment_name(name: str) -> int | None:
    """Return the first seq a segment file name declares, or None for other files."""
    match = _NAME_RE.match(name)
    return int(match.group(1)) if match else None


def list_segments(directory: Path) -> list[tuple[int, Path]]:
    """Return (first_seq, path) for every segment in directory, oldest first."""
    found = []
    for entry in directory.iterdir():
        first = parse_segment_name(entry.name)
        if first is not None:
            found.append((first, entry))
    return sorted(found)
