"""The findings every dog and axiom shares, computed once per Source.

This module only gathers: the Python checks (pysecurity.py, pychecks.py) read the one walk's
facts, the text checks (textchecks.py) scan the text once, and JavaScript, TypeScript and shell are
read from their tree-sitter trees (treechecks.py). Dogs decide which findings they
voice; a finding's cost and kind come from its rule (rules.py).
"""

from __future__ import annotations

from dataclasses import replace

from .pychecks import contradiction_findings, hygiene_findings
from .pysecurity import security_findings
from .rules import RULES
from .source import Source
from .textchecks import text_findings
from .treechecks import tree_findings
from .vote import DEFECT, POSSIBLE, SECURITY, SMELL, Finding

#: A matter of taste caps a verdict only where it concerns at least this share of the unit.
TASTE_CAPS_FROM = 0.5
#: A unit this long or shorter is a snippet: each smell in it costs in full.
SNIPPET_LINES = 60
#: Matters of taste cap a unit at GROWL only when it is this long or shorter (a snippet).
TASTE_SNIPPET_LINES = 50
#: Defects cap a unit at GROWL when it is this long or shorter, or holds one per this many lines.
DEFECT_LINES = 100

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
    found += [f for f in tree_findings(src) if f.kind == SECURITY]  # JavaScript, TypeScript, shell
    return _unique(temper(src.suppress(src.in_characters(found)), src.line_stats.filled))


def hygiene(src: Source) -> list[Finding]:
    """Every defect and smell that is not a security hole, in line order (JANITOR's findings)."""
    return src.memo("hygiene", _hygiene)


def _hygiene(src: Source) -> list[Finding]:
    found = hygiene_findings(src.py, src.lines) if src.py else []
    found += [f for f in _text(src) if f.kind != SECURITY]
    found += [f for f in tree_findings(src) if f.kind != SECURITY]  # JavaScript, TypeScript, shell
    return _unique(temper(src.suppress(found), src.line_stats.filled))


def temper(found: list[Finding], code_lines: int) -> list[Finding]:
    """Findings cost in proportion to the share of the unit they concern.

    A matter of taste concerns its function or class: one that is most of a snippet costs in full
    (and may cap it at GROWL); in a unit longer than TASTE_SNIPPET_LINES it never caps, and one
    complex function in a thousand-line module costs a little. A defect caps a unit at GROWL when
    the unit is a snippet (DEFECT_LINES or fewer) or holds at least one per DEFECT_LINES lines;
    rarer in a longer unit, defects lower its score like smells (a reviewer sends back a change
    with a swallowed error, not a well-kept module with one). A smell concerns its line: in a
    snippet of SNIPPET_LINES or fewer it costs in full, in a longer unit its cost is spread over
    the lines. Security holes are never spread.
    """
    defects = sum(1 for f in found if f.counted_kind == DEFECT and not RULES[f.rule].taste)
    sparse = code_lines > DEFECT_LINES and defects * DEFECT_LINES < code_lines
    spread = min(1.0, SNIPPET_LINES / max(1, code_lines))
    out = []
    for f in found:
        if f.kind == SECURITY and f.confidence < POSSIBLE:
            # a sink reached by a value of no known origin: shown for a look, it costs a token
            f = replace(f, severity=f.severity * f.confidence / 3)
        if RULES[f.rule].taste and f.end_line:
            share = (f.end_line - f.line + 1) / max(1, code_lines)
            if share < TASTE_CAPS_FROM or code_lines > TASTE_SNIPPET_LINES:
                f = replace(f, severity=f.severity * min(1.0, 2 * share), kind=SMELL)
        elif f.counted_kind == DEFECT and sparse:
            # (its confidence stays the check's: how sure it is, not how much it costs)
            f = replace(f, severity=f.severity * min(1.0, DEFECT_LINES / code_lines), kind=SMELL)
        elif f.counted_kind == SMELL and spread < 1.0:
            f = replace(f, severity=f.severity * spread)
        out.append(f)
    return out


def contradictions(src: Source) -> list[Finding]:
    return src.memo(
        "contradictions",
        lambda s: temper(s.suppress(contradiction_findings(s.py)), s.line_stats.filled) if s.py else [],
    )


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
