"""What every dog returns, and the one way a dog turns findings into a score."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .phi import PHI_INV3, cap_confidence, clamp

#: A vote below this confidence is an abstention: it counts for nothing in consensus.
ABSTAIN_BELOW = PHI_INV3
MAX_REASONS = 5


@dataclass(frozen=True)
class Finding:
    """One thing a dog noticed; severity in (0, 1] is the share of quality it costs."""

    severity: float
    reason: str


@dataclass(frozen=True)
class Vote:
    dog: str
    q: float
    confidence: float
    veto: bool = False
    reasons: tuple[str, ...] = ()

    @property
    def abstains(self) -> bool:
        return self.confidence < ABSTAIN_BELOW

    def to_dict(self) -> dict:
        return {
            "q": self.q,
            "confidence": self.confidence,
            "veto": self.veto,
            "reasons": list(self.reasons),
        }


def penalty(findings: list[Finding]) -> float:
    """Return the combined share of quality lost: 1 − Π(1 − severity)."""
    kept = math.prod(1.0 - min(1.0, f.severity) for f in findings)
    return 1.0 - kept


def cast(
    dog: str,
    base_q: float,
    findings: list[Finding],
    confidence: float,
    *,
    veto: bool = False,
    praise: str = "nothing to object to",
) -> Vote:
    """Build a vote: base_q reduced by every finding, reasons worst first."""
    q = clamp(base_q * (1.0 - penalty(findings)))
    worst = sorted(findings, key=lambda f: -f.severity)
    reasons = tuple(f.reason for f in worst[:MAX_REASONS]) or (praise,)
    return Vote(dog, round(q, 3), round(cap_confidence(confidence), 4), veto, reasons)


def repeated(findings_per_hit: float, hits: int, reason: str, *, cap: int = 3) -> list[Finding]:
    """Return one finding per hit, up to cap, each costing findings_per_hit."""
    return [Finding(findings_per_hit, reason) for _ in range(min(hits, cap))]
