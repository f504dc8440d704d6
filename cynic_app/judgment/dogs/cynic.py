"""CYNIC — the meta dog: doubts the pack when it disagrees or is thinly staffed."""

from __future__ import annotations

from ..phi import PHI_INV, clamp
from ..source import Source
from ..vote import Vote

NAME = "CYNIC"
#: Below this budget a judgment is cheap and CYNIC trusts it less.
COMFORTABLE_BUDGET_USD = 0.05


def vote(src: Source, cell, memory, votes=None) -> Vote:
    others = [v for v in votes or () if not v.abstains]
    if not others:
        return Vote(NAME, 50.0, 0.1, False, ("no dog took part",))
    weights = [v.confidence for v in others]
    mean = sum(v.q * w for v, w in zip(others, weights, strict=True)) / sum(weights)
    worst = min(v.q for v in others)
    spread = max(v.q for v in others) - worst
    # Scepticism: dissent is not averaged away; the most critical vote pulls φ⁻¹ of the way down.
    q = mean - PHI_INV * (mean - worst)
    if any(v.veto for v in others):
        q = min(q, worst)
    reasons = [f"{len(others)} of {len(votes)} dogs took part; spread {spread:.1f}"]
    participation = len(others) / max(1, len(votes))
    budget = min(1.0, 0.5 + cell.budget_usd / (2 * COMFORTABLE_BUDGET_USD))
    if len(memory) >= 5:  # told, never counted: a judgment does not depend on what a node stored
        health = memory.consensus_share
        reasons.append(f"recent consensus: {health:.0%} of {len(memory)} past judgments")
    confidence = PHI_INV * participation * budget
    return Vote(NAME, round(clamp(q), 3), round(confidence, 4), False, tuple(reasons))
