"""The judgment domain: pure, deterministic, no I/O. Nothing here imports Flask or psycopg."""

from __future__ import annotations

from .cell import REALITIES, TIME_DIMS, Cell
from .engine import choose_level, judge
from .errors import InvalidJudgment
from .judgment import Judgment
from .memory import Memory
from .phi import MAX_CONFIDENCE, PHI, PHI_INV, verdict_for

__all__ = [
    "MAX_CONFIDENCE",
    "PHI",
    "PHI_INV",
    "REALITIES",
    "TIME_DIMS",
    "Cell",
    "InvalidJudgment",
    "Judgment",
    "Memory",
    "choose_level",
    "judge",
    "verdict_for",
]
