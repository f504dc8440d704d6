"""SAGE — wisdom: the five axioms, scored from their facets, weighed for this reality."""

from __future__ import annotations

from ..axioms import score_axioms
from ..consensus import reality_weighted_q
from ..phi import PHI_INV
from ..source import Source
from ..vote import Vote

NAME = "SAGE"


def vote(src: Source, cell, memory, votes=None) -> Vote:
    axioms = src.memo("axioms", score_axioms)
    q = reality_weighted_q(axioms, cell.reality)
    weakest = min(axioms, key=axioms.get)
    reasons = (f"weakest axiom {weakest} at {axioms[weakest]:.1f}",)
    confidence = PHI_INV * (0.85 if src.is_code else 0.6)
    return Vote(NAME, round(q, 3), round(confidence, 4), False, reasons)
