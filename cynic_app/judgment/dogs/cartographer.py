"""CARTOGRAPHER — dependencies: what the unit imports, how, and how widely it reaches."""

from __future__ import annotations

import re

from ..phi import PHI_INV
from ..source import Source
from ..vote import Finding, Vote, cast, repeated

NAME = "CARTOGRAPHER"
_TEXT_IMPORT_RE = re.compile(r"^\s*(import|from|require|#include|using)\b.*$", re.M)


def vote(src: Source, cell, memory, votes=None) -> Vote:
    if not src.is_python:
        n = len(_TEXT_IMPORT_RE.findall(src.text))
        findings = [Finding(0.2, f"{n} dependencies declared")] if n > 12 else []
        if re.search(r"\bimport\s+\*|from\s+\S+\s+import\s+\*", src.text):
            findings.append(Finding(0.3, "wildcard import"))
        return cast(
            NAME, 78.0, findings, PHI_INV * (0.4 if src.is_code else 0.2), praise="no dependency concerns"
        )
    findings: list[Finding] = []
    findings += repeated(0.3, sum(1 for _, wild, _ in src.imports if wild), "wildcard import")
    findings += repeated(0.05, sum(1 for _, _, rel in src.imports if rel), "relative import")
    roots = [m.split(".")[0] for m, _, rel in src.imports if m and not rel]
    fan_out = len(set(roots))
    if fan_out > 20:
        findings.append(Finding(0.35, f"fans out to {fan_out} modules"))
    elif fan_out > 10:
        findings.append(Finding(0.2, f"fans out to {fan_out} modules"))
    modules = [m for m, _, _ in src.imports if m]
    if len(modules) - len(set(modules)) > 0:
        findings.append(Finding(0.1, "the same module imported more than once"))
    return cast(NAME, 86.0, findings, PHI_INV * 0.8, praise="dependencies are few and explicit")
