"""The findings every dog and axiom shares, computed once per Source.

This module only gathers: the Python checks (pysecurity.py, pychecks.py) read the one walk's
facts, the text checks (textchecks.py) scan the text once. Dogs decide which findings they
voice; a finding's cost and kind come from its rule (rules.py).
"""

from __future__ import annotations

from .pychecks import contradiction_findings, hygiene_findings
from .pysecurity import security_findings
from .source import Source
from .textchecks import text_findings
from .vote import SECURITY, Finding

SECRET_RULES = frozenset({"hardcoded-secret", "secret-in-url", "embedded-key"})
DEBUG_RULES = frozenset({"breakpoint", "debug-print", "console-log", "debug-mode"})
MARKER_RULES = frozenset({"todo", "fixme"})


def _text(src: Source) -> list[Finding]:
    return src.memo("text", text_findings)


def dangers(src: Source) -> list[Finding]:
    """Every security hole, in line order (GUARDIAN's findings)."""
    return src.memo("dangers", _dangers)


def _dangers(src: Source) -> list[Finding]:
    found = security_findings(src.py, src.tree) if src.py else []
    found += [f for f in _text(src) if f.kind == SECURITY]
    return _unique(found)


def hygiene(src: Source) -> list[Finding]:
    """Every defect and smell that is not a security hole, in line order (JANITOR's findings)."""
    return src.memo("hygiene", _hygiene)


def _hygiene(src: Source) -> list[Finding]:
    found = hygiene_findings(src.py) if src.py else []
    found += [f for f in _text(src) if f.kind != SECURITY]
    return _unique(found)


def contradictions(src: Source) -> list[Finding]:
    return src.memo("contradictions", lambda s: contradiction_findings(s.py) if s.py else [])


def secret_findings(src: Source) -> list[Finding]:
    return [f for f in dangers(src) if f.rule in SECRET_RULES]


def stubs(src: Source) -> int:
    """Count stubs: functions whose body does nothing, and 'not implemented' throws."""
    return sum(1 for f in hygiene(src) if f.rule == "stub")


def debug_prints(src: Source) -> int:
    return sum(1 for f in hygiene(src) if f.rule in ("debug-print", "console-log"))


def todos(src: Source) -> int:
    return sum(1 for f in hygiene(src) if f.rule in MARKER_RULES)


def breakpoints(src: Source) -> bool:
    return any(f.rule == "breakpoint" for f in hygiene(src))


def _unique(found: list[Finding]) -> list[Finding]:
    """One finding per rule and line, in line order."""
    seen: set[tuple[str, int]] = set()
    out = []
    for f in sorted(found, key=lambda f: (f.line, -f.severity)):
        if (f.rule, f.line) not in seen:
            seen.add((f.rule, f.line))
            out.append(f)
    return out
