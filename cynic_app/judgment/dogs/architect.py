"""ARCHITECT — structure: imports, nesting depth, methods per class, classes per unit."""

from __future__ import annotations

from ..phi import PHI_INV
from ..source import Source
from ..vote import Finding, Vote, cast

NAME = "ARCHITECT"


def structural_findings(src: Source) -> list[Finding]:
    findings = []
    if len(src.imports) > 15:
        findings.append(Finding(0.15, f"{len(src.imports)} imports in one unit"))
    if src.max_depth > 6:
        findings.append(Finding(0.35, f"control flow nested {src.max_depth} levels"))
    elif src.max_depth > 4:
        findings.append(Finding(0.2, f"control flow nested {src.max_depth} levels"))
    for name, methods in src.classes.items():
        if methods > 25:
            findings.append(Finding(0.35, f"class {name} has {methods} methods"))
        elif methods > 15:
            findings.append(Finding(0.2, f"class {name} has {methods} methods"))
    if len(src.classes) > 5:
        findings.append(Finding(0.15, f"{len(src.classes)} classes in one unit"))
    if src.functions and src.n_statements > 40 and _top_level_share(src) > 0.5:
        findings.append(Finding(0.1, "most statements run at import time"))
    return findings


def _top_level_share(src: Source) -> float:
    body = src.tree.body if src.tree else []
    return len(body) / max(1, src.n_statements)


def vote(src: Source, cell, memory, votes=None) -> Vote:
    if not src.is_python:
        depth = max((len(ln) - len(ln.lstrip())) // 4 for ln in src.lines)
        findings = [Finding(0.2, f"indentation {depth} levels deep")] if depth > 5 else []
        return cast(
            NAME, 80.0, findings, PHI_INV * (0.5 if src.is_code else 0.3), praise="no structural concerns"
        )
    return cast(NAME, 87.0, structural_findings(src), PHI_INV * 0.85, praise="well structured")
