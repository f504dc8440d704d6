"""What every dog returns, and the one way a dog turns findings into a score."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .phi import PHI_INV3, cap_confidence, clamp

#: A vote below this confidence is an abstention: it counts for nothing in consensus.
ABSTAIN_BELOW = PHI_INV3
#: The confidence of a vote that only tells (memory's dogs): below ABSTAIN_BELOW, always.
TELLS_ONLY = 0.1
MAX_REASONS = 5

#: Kinds of finding. A SECURITY finding makes GUARDIAN veto (BARK); a DEFECT is something a
#: reviewer sends back and caps the judgment at GROWL; a SMELL only lowers its dog's score.
SECURITY = "security"
DEFECT = "defect"
SMELL = "smell"
KINDS = (SECURITY, DEFECT, SMELL)
#: A finding at least this sure counts as its kind; a less sure one counts one kind lower (a
#: security finding below POSSIBLE: a look worth taking, counted as a smell).
CONFIDENT = 0.5
POSSIBLE = 0.35


@dataclass(frozen=True)
class Finding:
    """One thing noticed in the content.

    severity in (0, 1] is the share of its dog's score it costs; rule names the check that
    fired (see rules.py) and cwe the weakness; line is 1-based, 0 when the finding is about the
    whole unit; end_line, when set, is the last line it concerns (a function's end). confidence
    in (0, 1] is how sure the check is; below CONFIDENT a finding counts one kind lower (a
    security hole caps at GROWL instead of vetoing). source_line names where tainted input came
    from. A suppressed finding (``# nosec``, ``# noqa: S…``, ``# cynic: ignore[rule]``) is still
    reported, with the comment's kind, and counts for nothing.
    """

    severity: float
    reason: str
    rule: str = ""
    line: int = 0
    kind: str = SMELL
    cwe: int = 0
    confidence: float = 0.9
    column: int = 0
    end_line: int = 0
    source_line: int = 0
    suppressed: str = ""

    @property
    def explained(self) -> str:
        """The reason as a reviewer reads it: "line 4: hard-coded password passed to connect()"."""
        return f"line {self.line}: {self.reason}" if self.line else self.reason

    @property
    def counted_kind(self) -> str | None:
        """The kind this finding counts as in the verdict: one lower when unsure; None when
        suppressed."""
        if self.suppressed:
            return None
        if self.confidence >= CONFIDENT:
            return self.kind
        if self.kind == SECURITY and self.confidence >= POSSIBLE:
            return DEFECT
        return SMELL

    def to_dict(self, dog: str) -> dict:
        out = {
            "dog": dog,
            "rule": self.rule,
            "severity": round(self.severity, 3),
            "line": self.line,
            "message": self.reason,
            "cwe": self.cwe,
            "confidence": round(self.confidence, 2),
            "column": self.column,
            "kind": self.counted_kind or self.kind,
            "suppressed": self.suppressed or None,
        }
        if self.end_line:
            out["end_line"] = self.end_line
        if self.source_line:
            out["source_line"] = self.source_line
        return out


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
        return any(f.counted_kind in (SECURITY, DEFECT) for f in self.findings)

    def to_dict(self) -> dict:
        return {
            "q": self.q,
            "confidence": self.confidence,
            "veto": self.veto,
            "reasons": list(self.reasons),
        }


def penalty(findings: list[Finding]) -> float:
    """Return the combined share of quality lost: 1 − Π(1 − severity) over what counts."""
    kept = math.prod(1.0 - min(1.0, f.severity) for f in findings if not f.suppressed)
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
    worst = sorted(findings, key=lambda f: (bool(f.suppressed), -f.severity, f.line))
    reasons = tuple(f.explained for f in worst[:MAX_REASONS] if not f.suppressed) or (praise,)
    return Vote(dog, round(q, 3), round(cap_confidence(confidence), 4), veto, reasons, tuple(worst))
