"""What every dog returns, and the one way a dog turns findings into a score."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .phi import PHI_INV3, cap_confidence, clamp

#: A vote below this confidence is an abstention: it counts for nothing in consensus.
ABSTAIN_BELOW = PHI_INV3
MAX_REASONS = 5

#: Kinds of finding. A SECURITY finding makes GUARDIAN veto (BARK); a DEFECT is something a
#: reviewer sends back and caps the judgment at GROWL; a SMELL only lowers its dog's score.
SECURITY = "security"
DEFECT = "defect"
SMELL = "smell"
KINDS = (SECURITY, DEFECT, SMELL)


@dataclass(frozen=True)
class Finding:
    """One thing noticed in the content.

    severity in (0, 1] is the share of its dog's score it costs; rule names the check that
    fired (see rules.py); line is 1-based, 0 when the finding is about the whole unit.
    """

    severity: float
    reason: str
    rule: str = ""
    line: int = 0
    kind: str = SMELL

    @property
    def explained(self) -> str:
        """The reason as a reviewer reads it: "line 4: hard-coded password passed to connect()"."""
        return f"line {self.line}: {self.reason}" if self.line else self.reason

    def to_dict(self, dog: str) -> dict:
        return {
            "dog": dog,
            "rule": self.rule,
            "severity": round(self.severity, 3),
            "line": self.line,
            "message": self.reason,
        }


@dataclass(frozen=True)
class Vote:
    dog: str
    q: float
    confidence: float
    veto: bool = False
    reasons: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def abstains(self) -> bool:
        return self.confidence < ABSTAIN_BELOW

    @property
    def blocks(self) -> bool:
        """True when this dog found a defect a reviewer would send back (or worse)."""
        return any(f.kind in (SECURITY, DEFECT) for f in self.findings)

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
    """Build a vote: base_q reduced by every finding, reasons worst first (ties by line)."""
    q = clamp(base_q * (1.0 - penalty(findings)))
    worst = sorted(findings, key=lambda f: (-f.severity, f.line))
    reasons = tuple(f.explained for f in worst[:MAX_REASONS]) or (praise,)
    return Vote(dog, round(q, 3), round(cap_confidence(confidence), 4), veto, reasons, tuple(worst))


def repeated(findings_per_hit: float, hits: int, reason: str, *, cap: int = 3) -> list[Finding]:
    """Return one finding per hit, up to cap, each costing findings_per_hit."""
    return [Finding(findings_per_hit, reason) for _ in range(min(hits, cap))]
