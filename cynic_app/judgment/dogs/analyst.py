"""ANALYST — logical consistency: does it parse, and do its assertions and annotations agree?"""

from __future__ import annotations

from ..findings import contradictions
from ..patterns import linear
from ..phi import PHI_INV
from ..rules import hit
from ..source import Source
from ..treechecks import tree_findings
from ..vote import Vote, cast

NAME = "ANALYST"
_PROSE_CONTRADICTIONS = (("always", "never"), ("all", "none"), ("must", "must not"))
_WORDS = {
    w: linear(f"prose-{w.replace(' ', '-')}", rf"\b{w}\b") for pair in _PROSE_CONTRADICTIONS for w in pair
}


def vote(src: Source, cell, memory, votes=None) -> Vote:
    if src.syntax_error:
        finding = hit("syntax-error", src.syntax_error_line, f"does not parse: {src.syntax_error}")
        vote = cast(NAME, 75.0, [finding], PHI_INV)
        return vote
    if src.is_python:
        findings = contradictions(src)
        n_checks = len(src.asserts) + sum(1 for f in src.functions if f.annotated)
        confidence = PHI_INV * (0.9 if n_checks else 0.75)
        # Annotations are checkable claims: base 82, up to 92 when every function is typed.
        typed = sum(f.annotated for f in src.functions) / max(1, len(src.functions))
        return cast(
            NAME, 82.0 + 10.0 * typed, findings, confidence, praise="parses; assertions are consistent"
        )
    tree = src.syntax_tree
    if tree is not None and not any(f.rule == "syntax-error" for f in tree_findings(src)):
        confidence = PHI_INV * 0.6  # (its syntax errors are JANITOR's findings)
        return cast(NAME, 82.0, [], confidence, praise=f"parses as {src.language}")
    lower = src.lower
    findings = [
        hit("prose-contradiction", 0, f"says both '{a}' and '{b}'")
        for a, b in _PROSE_CONTRADICTIONS
        if _WORDS[a].search(lower) and _WORDS[b].search(lower)
    ]
    praise = f"read as {src.language}: no contradictions found"
    return cast(NAME, 72.0, findings, PHI_INV * (0.45 if src.is_code else 0.35), praise=praise)
