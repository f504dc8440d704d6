"""DEPLOYER — deploy hygiene: secrets, debug leftovers, TODOs and stubs that must not ship."""

from __future__ import annotations

import re

from ..findings import breakpoints, debug_prints, secret_findings, stubs, todos
from ..phi import PHI_INV
from ..source import Source
from ..vote import Finding, Vote, cast, repeated

NAME = "DEPLOYER"


def vote(src: Source, cell, memory, votes=None) -> Vote:
    findings = [Finding(0.5, f.reason) for f in secret_findings(src)]
    if src.memo("breakpoints", breakpoints):
        findings.append(Finding(0.35, "a debugger breakpoint is left in"))
    findings += repeated(0.08, debug_prints(src), "debug print left in")
    findings += repeated(0.12, todos(src), "TODO/FIXME marker: unfinished work")
    findings += repeated(0.3, stubs(src), "stub function that does nothing", cap=2)
    if not src.is_python and re.search(r"\bNotImplemented(Error)?\b", src.text):
        findings.append(Finding(0.25, "raises NotImplemented: unfinished"))
    confidence = PHI_INV * (0.9 if src.is_code else 0.4)
    return cast(NAME, 88.0, findings, confidence, praise="ready to ship")
