"""A perception: something a source observed, optionally judged on arrival."""

from __future__ import annotations

from dataclasses import dataclass

from .cell import Cell

MAX_SOURCE_CHARS = 256


@dataclass(frozen=True)
class Perception:
    source: str
    cell: Cell  # analysis PERCEIVE, lod 0
    run_judgment: bool
    level: str
