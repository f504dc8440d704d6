"""DEPLOYER — deploy hygiene: secrets, debug leftovers, markers and stubs that must not ship."""

from __future__ import annotations

from ..findings import DEBUG_RULES, MARKER_RULES, hygiene, secret_findings
from ..phi import PHI_INV
from ..source import Source
from ..vote import Vote, cast

NAME = "DEPLOYER"
_SHIP_BLOCKERS = DEBUG_RULES | MARKER_RULES | {"stub", "always-true-check"}


def vote(src: Source, cell, memory, votes=None) -> Vote:
    findings = secret_findings(src) + [f for f in hygiene(src) if f.rule in _SHIP_BLOCKERS]
    confidence = PHI_INV * (0.9 if src.is_code else 0.4)
    return cast(NAME, 88.0, findings, confidence, praise="ready to ship")
