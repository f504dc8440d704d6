"""ARCHITECT — structure: imports, nesting depth, methods per class, classes per unit."""

from __future__ import annotations

from ..findings import temper
from ..phi import PHI_INV
from ..pychecks import structure_findings
from ..rules import hit
from ..source import Source
from ..vote import Vote, cast

NAME = "ARCHITECT"


def vote(src: Source, cell, memory, votes=None) -> Vote:
    if not src.is_python:
        depth, line = max(((len(ln) - len(ln.lstrip())) // 4, i) for i, ln in enumerate(src.lines, 1))
        findings = [hit("deep-indentation", line, f"indentation {depth} levels deep")] if depth > 5 else []
        return cast(
            NAME, 80.0, findings, PHI_INV * (0.5 if src.is_code else 0.3), praise="no structural concerns"
        )
    findings = temper(src.suppress(structure_findings(src.py, src.tree)), src.line_stats.filled)
    return cast(NAME, 87.0, findings, PHI_INV * 0.85, praise="well structured")
