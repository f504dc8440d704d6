"""How the unit tests tell a linear cost from a quadratic one: ratios of this process's CPU time,
never absolute seconds.

What makes a ratio lie on a shared machine, and what this module does about each:

- another process (a second test worker, PostgreSQL, a build) takes wall time, not this
  process's CPU time: the clock is ``time.process_time``;
- a garbage collection of the test process's whole heap inside one sample is noise, not growth:
  the collector is off while measuring;
- a busy moment (the hypervisor taking the virtual CPU: the guest counts that as the process's
  time) hits whatever runs then: the works are measured in turns, and each keeps its best sample;
- a sample of a millisecond or two is mostly the clock and cold caches: a quick call is repeated
  until one sample lasts MIN_SAMPLE, and the sample is divided by the repeats;
- a ratio over its bound is measured again, with more turns, before the test fails: a quadratic
  cost exceeds the bound on every measurement, noise rarely on two in a row.

On 2026-12-07 a test that measured without the last four (the best of three of the small size,
then the best of three of the large one, the collector on, samples of 2 ms) failed on CI at 9.5x
for 4x the text; on a quiet machine the same code measures 4.3x.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cynic_app.judgment import Cell, judge

#: The shortest sample worth a ratio: a quicker call is repeated within one sample.
MIN_SAMPLE = 0.005
#: Turns in the first measurement, and in the second one that confirms a ratio over its bound.
RUNS, CONFIRM_RUNS = 3, 9


def _no_input() -> None:
    return None


@dataclass(frozen=True)
class Work:
    """A call to time, and what it needs made first, untimed (a parsed text, a cell): prepare()'s
    result is call's argument. With no prepare, call is called with None."""

    call: Callable[[Any], object]
    prepare: Callable[[], Any] = _no_input


def work(call: Callable[[], object]) -> Work:
    """A call that needs nothing made first."""
    return Work(lambda _: call())


def _sample(w: Work, repeats: int) -> float:
    """CPU seconds of one call: repeats calls timed together, each on its own prepared input."""
    inputs = [w.prepare() for _ in range(repeats)]
    started = time.process_time()
    for argument in inputs:
        w.call(argument)
    return (time.process_time() - started) / repeats


def once(w: Work) -> float:
    """CPU seconds of one call, collector off: enough to tell a call far too quick to matter."""
    gc.disable()
    try:
        return _sample(w, 1)
    finally:
        gc.enable()


def _repeats(w: Work) -> int:
    """How many calls make a sample of MIN_SAMPLE: one call to warm, one timed."""
    _sample(w, 1)
    return max(1, math.ceil(MIN_SAMPLE / max(_sample(w, 1), 1e-6)))


def cpu_seconds(*works: Work, runs: int = RUNS) -> list[float]:
    """The least CPU time of one call of each work over runs, measured in turns, collector off.
    The first two calls of each are not counted: the first warms (imports, caches), the second
    sets how often a sample repeats."""
    gc.collect()
    gc.disable()
    try:
        repeats = [_repeats(w) for w in works]
        best = [math.inf] * len(works)
        for _ in range(runs):
            for i, w in enumerate(works):
                best[i] = min(best[i], _sample(w, repeats[i]))
        return best
    finally:
        gc.enable()


@dataclass(frozen=True)
class Ratio:
    numerator: float
    denominator: float

    @property
    def value(self) -> float:
        return self.numerator / self.denominator

    def __str__(self) -> str:
        return f"{self.numerator * 1e3:.2f} ms against {self.denominator * 1e3:.2f} ms: {self.value:.1f}x"


def ratio(numerator: Work, denominator: Work, *, limit: float) -> Ratio:
    """The CPU time of numerator over denominator's, measured again with more turns when over
    limit (a test asserts ``ratio(...).value <= limit``, and its message shows the Ratio)."""
    measured = Ratio(*cpu_seconds(numerator, denominator))
    if measured.value > limit:
        measured = Ratio(*cpu_seconds(numerator, denominator, runs=CONFIRM_RUNS))
    return measured


def judging(content: str, context: str) -> Work:
    """One judgment at MACRO (the level that reads the most) of content, its cell made first."""
    return Work(
        lambda cell: judge(cell, level="MACRO"),
        lambda: Cell.create(content=content, context=context),
    )
