"""Constants derived from the golden ratio φ; every threshold in the engine comes from here."""

from __future__ import annotations

import math

PHI = (1 + math.sqrt(5)) / 2
PHI_INV = 1 / PHI  # ≈ 0.618034
PHI_INV2 = PHI_INV**2  # ≈ 0.381966
PHI_INV3 = PHI_INV**3  # ≈ 0.236068

#: No judgment and no single vote may claim more certainty than φ⁻¹.
MAX_CONFIDENCE = PHI_INV

#: Every verdict, best first: the bands verdict_for maps a q_score to.
VERDICTS = ("HOWL", "WAG", "GROWL", "BARK")
HOWL_MIN = 82.0
WAG_MIN = 61.8
GROWL_MIN = 38.2

#: A veto caps q below the BARK line: GROWL_MIN·φ⁻¹ ≈ 23.607, lowered further by the danger found.
VETO_CAP = GROWL_MIN * PHI_INV


def verdict_for(q_score: float) -> str:
    """Return the verdict band a q_score falls into."""
    if q_score >= HOWL_MIN:
        return "HOWL"
    if q_score >= WAG_MIN:
        return "WAG"
    if q_score >= GROWL_MIN:
        return "GROWL"
    return "BARK"


def clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    """Clamp value into [low, high]."""
    return max(low, min(high, value))


def cap_confidence(value: float) -> float:
    """Clamp a confidence into [0, φ⁻¹]."""
    return max(0.0, min(MAX_CONFIDENCE, value))


#: A defect a reviewer would send back caps q at the golden point of the GROWL band (≈ 52.786):
#: never WAG or better, and still above what a security hole scores.
DEFECT_CAP = GROWL_MIN + (WAG_MIN - GROWL_MIN) * PHI_INV
