"""JANITOR — hygiene: swallowed errors, leftovers, stubs, dead code, leaks, needless complexity."""

from __future__ import annotations

from ..findings import hygiene, temper
from ..patterns import tokens
from ..phi import PHI_INV
from ..pychecks import duplicate_literal_findings
from ..rules import hit
from ..source import Source
from ..vote import Finding, Vote, cast

NAME = "JANITOR"
_WORD_RE = tokens("prose-word", r"\w+")


def doubled_words(text: str, limit: int = 3) -> list[tuple[int, str]]:
    """(offset, word) of a word written twice in a row (only whitespace between), at most limit.
    A pass over the words and a comparison of neighbours: RE2 has no back-references."""
    found = []
    previous = None
    for m in _WORD_RE.finditer(text):
        word = m.group(0)
        if previous is not None:
            end, last = previous
            if word.lower() == last.lower() and text[end : m.start()].isspace():
                found.append((end - len(last), last))
                if len(found) >= limit:
                    break
        previous = (m.end(), word)
    return found


def text_smells(src: Source) -> list[Finding]:
    """For prose and unknown code: long lines, doubled words, shouting."""
    findings = []
    long_lines = [i for i, ln in enumerate(src.lines, 1) if len(ln) > 120]
    if long_lines:
        severity = min(0.3, 0.03 * len(long_lines))
        findings.append(
            hit(
                "long-lines", long_lines[0], f"{len(long_lines)} lines over 120 characters", severity=severity
            )
        )
    for at, word in doubled_words(src.text)[:3]:
        findings.append(hit("doubled-word", src.line_of(at), f"'{word}' twice in a row"))
    if src.shouting:
        findings.append(hit("shouting", 0, "mostly upper case (shouting)"))
    return findings


def vote(src: Source, cell, memory, votes=None) -> Vote:
    findings = list(hygiene(src))
    if not src.is_python:
        if not src.is_code:
            findings += src.suppress(text_smells(src))
        return cast(NAME, 80.0, findings, PHI_INV * 0.5, praise="reads cleanly")
    findings += temper(
        src.suppress(duplicate_literal_findings(src.py, src.literal_counts)), src.line_stats.filled
    )
    # Documented functions are the janitor's praise: base 80, up to 92 when all have docstrings.
    documented = sum(f.has_docstring for f in src.functions) / max(1, len(src.functions))
    return cast(NAME, 80.0 + 12.0 * documented, findings, PHI_INV * 0.9, praise="clean and tidy")
