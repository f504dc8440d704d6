"""How votes become one score: quorum, agreement, weighted geometric means."""

from __future__ import annotations

import math

from .phi import PHI, PHI_INV, PHI_INV3

#: Two votes agree when they are within this many points of the pack's weighted median.
AGREEMENT_BAND = 100.0 * PHI_INV3  # ≈ 23.6
#: Per reality: how much each axiom counts when the pack cannot agree.
REALITY_WEIGHTS = {
    "CODE": {"FIDELITY": PHI, "PHI": 1.0, "VERIFY": PHI**2, "CULTURE": PHI_INV, "BURN": 1.0},
    "SOLANA": {"FIDELITY": PHI, "PHI": 1.0, "VERIFY": PHI**2, "CULTURE": PHI_INV, "BURN": PHI},
    "MARKET": {"FIDELITY": PHI, "PHI": PHI, "VERIFY": PHI, "CULTURE": PHI_INV, "BURN": 1.0},
    "SOCIAL": {"FIDELITY": PHI, "PHI": 1.0, "VERIFY": 1.0, "CULTURE": PHI**2, "BURN": PHI_INV},
    "HUMAN": {"FIDELITY": PHI**2, "PHI": 1.0, "VERIFY": PHI_INV, "CULTURE": PHI, "BURN": 1.0},
    "CYNIC": {"FIDELITY": PHI, "PHI": PHI, "VERIFY": PHI, "CULTURE": 1.0, "BURN": PHI},
    "COSMOS": {"FIDELITY": 1.0, "PHI": PHI**2, "VERIFY": 1.0, "CULTURE": 1.0, "BURN": 1.0},
}
#: Geometric means treat a zero as this, so one zero does not erase everything else.
Q_FLOOR = 1.0


def quorum(n: int) -> int:
    """Agreeing votes needed among n voters: all of them below 4, else 2⌊(n−1)/3⌋+1."""
    return n if n < 4 else 2 * ((n - 1) // 3) + 1


def weighted_geometric_mean(values: list[float], weights: list[float]) -> float:
    total = sum(weights)
    if total <= 0:
        return 0.0
    logs = sum(w * math.log(max(Q_FLOOR, v)) for v, w in zip(values, weights, strict=True))
    return math.exp(logs / total)


def weighted_median(values: list[float], weights: list[float]) -> float:
    pairs = sorted(zip(values, weights, strict=True))
    half = sum(weights) / 2
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]


def reality_weighted_q(axiom_scores: dict[str, float], reality: str) -> float:
    weights = REALITY_WEIGHTS[reality]
    names = list(axiom_scores)
    return weighted_geometric_mean([axiom_scores[a] for a in names], [weights[a] for a in names])


def agreeing(qs: list[float], weights: list[float]) -> int:
    """Count votes within AGREEMENT_BAND of the weighted median."""
    if not qs:
        return 0
    centre = weighted_median(qs, weights)
    return sum(1 for q in qs if abs(q - centre) <= AGREEMENT_BAND)


def residual_variance(qs: list[float]) -> float:
    """Population variance of the votes over the largest variance votes in [0, 100] can have."""
    if len(qs) < 2:
        return 0.0
    mean = math.fsum(qs) / len(qs)
    variance = math.fsum((q - mean) ** 2 for q in qs) / len(qs)  # floats: pvariance's Fractions cost 0.1 ms
    return min(1.0, variance / 50.0**2)


def combined_confidence(confidences: list[float], weights: list[float], agreement: float) -> float:
    total = sum(weights)
    mean = sum(c * w for c, w in zip(confidences, weights, strict=True)) / total if total else 0.0
    return min(PHI_INV, mean * agreement)
