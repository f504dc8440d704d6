"""ORACLE — expectation: what judgments with this state_key have scored before."""

from __future__ import annotations

import statistics

from ..phi import PHI, PHI_INV
from ..source import Source
from ..vote import Vote

NAME = "ORACLE"
COLD_START = Vote(NAME, 50.0, 0.1, False, ("no history for this state yet",))


def vote(src: Source, cell, memory, votes=None) -> Vote:
    history = memory.with_state_key(cell.state_key)
    if not history:
        return COLD_START
    qs = [r.q_score for r in history]
    n = len(qs)
    # Confidence grows with evidence: n/(n+φ³) reaches half-strength after ~4 judgments.
    confidence = PHI_INV * n / (n + PHI**3)
    q = statistics.fmean(qs)
    return Vote(
        NAME,
        round(q, 3),
        round(confidence, 4),
        False,
        (f"{n} past judgments of {cell.state_key} average {q:.1f}",),
    )
