"""CARTOGRAPHER — dependencies and names: what the unit imports, how widely it reaches, and
(with pyflakes, see analyzers.py) which names it uses without defining or defines without using.
CARTOGRAPHER runs at MACRO only, so pyflakes' cost is paid only there."""

from __future__ import annotations

from ..analyzers import pyflakes_findings
from ..findings import temper
from ..patterns import linear
from ..phi import PHI_INV
from ..pychecks import import_findings
from ..rules import hit
from ..source import Source
from ..vote import Vote, cast

NAME = "CARTOGRAPHER"
_TEXT_IMPORT_RE = linear("text-import", r"(?m)^[ \t]*(?:import|from|require|#include|using)\b.*$")
_TEXT_WILDCARD_RE = linear("text-wildcard-import", r"\bimport\s+\*|from\s+\S+\s+import\s+\*")


def vote(src: Source, cell, memory, votes=None) -> Vote:
    if not src.is_python:
        n = len(_TEXT_IMPORT_RE.findall(src.text))
        findings = [hit("many-imports", 0, f"{n} dependencies declared")] if n > 12 else []
        wildcard = _TEXT_WILDCARD_RE.search(src.text)
        if wildcard:
            findings.append(hit("wildcard-import", src.line_of(wildcard.start()), "wildcard import"))
        return cast(
            NAME, 78.0, findings, PHI_INV * (0.4 if src.is_code else 0.2), praise="no dependency concerns"
        )
    findings = temper(src.suppress(import_findings(src.py) + pyflakes_findings(src)), src.line_stats.filled)
    return cast(NAME, 86.0, findings, PHI_INV * 0.8, praise="dependencies are few and explicit")
