"""GUARDIAN — danger: code that lets input run, leak, or destroy. Vetoes every security hole."""

from __future__ import annotations

from ..findings import dangers
from ..phi import PHI_INV
from ..source import Source
from ..vote import SECURITY, Vote, cast

NAME = "GUARDIAN"


def vote(src: Source, cell, memory, votes=None) -> Vote:
    findings = dangers(src)
    veto = any(f.counted_kind == SECURITY for f in findings)
    confidence = PHI_INV * (0.95 if src.is_python else 0.75 if src.is_code else 0.45)
    if findings:
        confidence = PHI_INV
    return cast(NAME, 90.0, findings, confidence, veto=veto, praise="no dangerous constructs found")
