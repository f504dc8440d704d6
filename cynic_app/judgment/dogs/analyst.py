"""ANALYST — logical consistency: does it parse, and do its assertions and annotations agree?"""

from __future__ import annotations

import re

from ..findings import contradictions
from ..phi import PHI_INV
from ..source import Source
from ..vote import Finding, Vote, cast

NAME = "ANALYST"
_PROSE_CONTRADICTIONS = (("always", "never"), ("all", "none"), ("must", "must not"))


def vote(src: Source, cell, memory, votes=None) -> Vote:
    if src.syntax_error:
        return cast(NAME, 15.0, [], PHI_INV, praise=f"does not parse: {src.syntax_error}")
    if src.is_python:
        findings = src.memo("contradictions", contradictions)
        n_checks = len(src.asserts) + sum(1 for f in src.functions if f.annotated)
        confidence = PHI_INV * (0.9 if n_checks else 0.75)
        # Annotations are checkable claims: base 82, up to 92 when every function is typed.
        typed = sum(f.annotated for f in src.functions) / max(1, len(src.functions))
        return cast(
            NAME, 82.0 + 10.0 * typed, findings, confidence, praise="parses; assertions are consistent"
        )
    lower = src.lower
    findings = [
        Finding(0.1, f"says both '{a}' and '{b}'")
        for a, b in _PROSE_CONTRADICTIONS
        if re.search(rf"\b{a}\b", lower) and re.search(rf"\b{b}\b", lower)
    ]
    return cast(
        NAME, 72.0, findings, PHI_INV * (0.45 if src.is_code else 0.35), praise="no contradictions found"
    )
