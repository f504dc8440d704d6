"""Suppression comments people already write, honoured on the line a finding names (for a
security finding on a statement split over lines, on any of its first ten lines).

- ``# nosec`` (bandit): every finding on the line; ``# nosec B602, B607`` (or ``nosec: B602``):
  the findings of rules that bandit calls by those ids.
- ``# noqa: S602, E722`` (ruff, flake8): the findings of rules those codes name. A bare
  ``# noqa`` silences style, not security: it suppresses every finding but security holes.
- ``# cynic: ignore`` every finding, ``# cynic: ignore[sql-injection, stub]`` those rules.
- ``# nosemgrep`` every finding. In JavaScript and TypeScript the same words follow ``//``.

A suppressed finding is still reported, marked with the comment's kind, and counts for nothing.
Only a comment suppresses, as bandit and ruff read them: a string that holds ``'# nosec'`` is not
one (it hid the hole on its line). Where the parser says what is a comment (Python's tokenizer,
tree-sitter's comment nodes), that is what is read, and only for a line whose text names a
suppression at all; elsewhere (prose, code no parser read, Python past where its tokenizer
stopped) the line's text from its first ``#`` or ``//``. The comment is read with plain string
operations: no pattern that could backtrack.
"""

from __future__ import annotations

from dataclasses import replace

from .rules import RULES
from .vote import SECURITY, Finding

NOSEC, NOQA, CYNIC, NOSEMGREP = "nosec", "noqa", "cynic: ignore", "nosemgrep"


def suppression(line: str) -> tuple[str, frozenset[str]] | None:
    """(kind, codes) a line's comment asks for; codes empty: every finding."""
    comment = (
        line[max(line.find("#"), 0) :] if "#" in line else line[line.find("//") :] if "//" in line else ""
    )
    lowered = comment.lower()
    for marker, kind in (("nosec", NOSEC), ("noqa", NOQA), ("cynic: ignore", CYNIC), ("cynic:ignore", CYNIC),
                         ("nosemgrep", NOSEMGREP)):  # fmt: skip
        at = lowered.find(marker)
        if at < 0:
            continue
        rest = comment[at + len(marker) :]
        if kind == CYNIC:
            codes = rest[rest.find("[") + 1 : rest.find("]")] if rest.startswith("[") and "]" in rest else ""
        else:
            codes = rest.lstrip(":").strip()
            codes = codes.split("#", 1)[0]
        words = frozenset(w.strip() for w in codes.replace(",", " ").split() if _is_code(w.strip()))
        return kind, words
    return None


def _is_code(word: str) -> bool:
    """A rule code (B602, S608, E722) or one of our rule ids (sql-injection)."""
    return word in RULES or (len(word) >= 2 and word[0].isalpha() and word[1:].isdigit()) or word.isupper()


def applies(kind: str, codes: frozenset[str], finding: Finding) -> bool:
    rule = RULES[finding.rule]
    if not codes:
        return not (kind == NOQA and finding.kind == SECURITY)
    return finding.rule in codes or bool(codes & set(rule.codes))


#: A security finding on a statement split over lines (a call black wrapped) is suppressed by a
#: comment on any of its first lines: bandit and ruff report a built query on the string's line.
STATEMENT_LINES = 10


#: Words one of which a line's text holds when a comment on it may suppress (lower case).
_MARKERS = ("nosec", "noqa", "cynic", "nosemgrep")


def suppress(findings: list[Finding], line_text, comment_of=None) -> list[Finding]:
    """The findings, those a comment on their line suppresses marked so (line_text(n) gives line
    n's text; comment_of(n), when given, the comments on line n as the parser found them, None
    when no parser read line n: its text is read then)."""
    out = []
    cache: dict[int, tuple[str, frozenset[str]] | None] = {}

    def asked_on(n: int) -> tuple[str, frozenset[str]] | None:
        if n not in cache:
            text = line_text(n)
            lowered = text.lower()
            if ("#" in text or "//" in text) and any(m in lowered for m in _MARKERS):
                said = None if comment_of is None else comment_of(n)
                text = text if said is None else said
                cache[n] = suppression(text) if text else None
            else:
                cache[n] = None
        return cache[n]

    for f in findings:
        if f.line and not f.suppressed:
            last = f.line
            if f.kind == SECURITY and f.end_line > f.line:
                last = min(f.end_line, f.line + STATEMENT_LINES - 1)
            for n in range(f.line, last + 1):
                asked = asked_on(n)
                if asked is not None and applies(asked[0], asked[1], f):
                    f = replace(f, suppressed=asked[0])
                    break
        out.append(f)
    return out
