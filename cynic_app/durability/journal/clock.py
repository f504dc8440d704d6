"""The order of records across journals: a hybrid logical clock.

Each journal numbers its own records (seq), so "newer" across journals needs a clock. A record's
``ts`` is wall-clock nanoseconds, except that it never repeats or goes backwards within a
process (``max(now, last + 1)``) and never falls behind a stamp the process has seen elsewhere
(``observe``: guidance.json, read before each batch is stamped, tells every process the newest
stamp any process named). Records are ordered by ``Position`` = (ts, journal, seq): total, and
consistent with seq inside a journal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import NamedTuple


class Position(NamedTuple):
    """Where a record is, and its place in the node's order (tuples compare field by field)."""

    ts: int
    journal: str
    seq: int


class Clock:
    def __init__(self, *, wall_ns: Callable[[], int] = time.time_ns) -> None:
        self._wall_ns = wall_ns  # a seam: tests step the wall clock back
        self._last = 0
        self._lock = threading.Lock()

    def now(self) -> int:
        """A stamp greater than every stamp this clock gave or observed before."""
        with self._lock:
            self._last = max(self._wall_ns(), self._last + 1)
            return self._last

    def observe(self, ts: int) -> None:
        """Never give a stamp at or below ts from now on (a clock stepped back is caught up)."""
        with self._lock:
            self._last = max(self._last, ts)
