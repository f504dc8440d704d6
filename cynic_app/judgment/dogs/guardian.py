"""GUARDIAN — danger: code that lets input run, leak, or destroy. Vetoes real security flaws."""

from __future__ import annotations

from ..findings import dangers
from ..phi import PHI_INV
from ..source import Source
from ..vote import Vote, cast

NAME = "GUARDIAN"
#: A single finding at least this severe is a security flaw and vetoes the judgment.
VETO_SEVERITY = 0.5


def vote(src: Source, cell, memory, votes=None) -> Vote:
    findings = src.memo("dangers", dangers)
    veto = any(f.severity >= VETO_SEVERITY for f in findings)
    confidence = PHI_INV * (0.95 if src.is_python else 0.75 if src.is_code else 0.45)
    if findings:
        confidence = PHI_INV
    return cast(NAME, 90.0, findings, confidence, veto=veto, praise="no dangerous constructs found")
