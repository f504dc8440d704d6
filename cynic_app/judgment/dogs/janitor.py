"""JANITOR — code smells, from Python's ast; a plain-text fallback for anything else."""

from __future__ import annotations

import re

from ..findings import breakpoints, todos
from ..phi import PHI_INV
from ..source import Source
from ..vote import Finding, Vote, cast, repeated

NAME = "JANITOR"
LONG_FUNCTION_LINES = 50
MAX_ARGS = 5
MAX_FUNCTION_DEPTH = 4
_EMPTY_CATCH_RE = re.compile(r"catch\s*(\([^)]*\))?\s*\{\s*\}")
_REPEATED_WORD_RE = re.compile(r"\b(\w+)\s+\1\b", re.I)


def python_smells(src: Source) -> list[Finding]:
    findings: list[Finding] = []
    for f in src.functions:
        if f.length > 2 * LONG_FUNCTION_LINES:
            findings.append(Finding(0.3, f"{f.name}() is {f.length} lines long"))
        elif f.length > LONG_FUNCTION_LINES:
            findings.append(Finding(0.15, f"{f.name}() is {f.length} lines long"))
        if f.n_args > MAX_ARGS:
            findings.append(Finding(0.3 if f.n_args > 7 else 0.15, f"{f.name}() takes {f.n_args} arguments"))
        if f.depth > MAX_FUNCTION_DEPTH:
            findings.append(Finding(0.2, f"{f.name}() nests {f.depth} levels deep"))
        if f.is_stub:
            findings.append(Finding(0.25, f"{f.name}() is an empty stub"))
    findings += repeated(0.3, len(src.bare_excepts), "bare except: catches everything")
    findings += repeated(0.35, len(src.swallowed_excepts), "exception swallowed silently")
    if src.memo("breakpoints", breakpoints):
        findings.append(Finding(0.3, "a debugger breakpoint is left in"))
    findings += repeated(0.1, src.memo("todos", todos), "TODO/FIXME left in the code", cap=2)
    dupes = [s for s, n in src.literal_counts.items() if n >= 3]
    findings += repeated(0.08, len(dupes), "the same literal repeated 3+ times")
    return findings


def text_smells(src: Source) -> list[Finding]:
    findings = repeated(0.35, len(_EMPTY_CATCH_RE.findall(src.text)), "empty catch block swallows errors")
    long_lines = sum(1 for ln in src.lines if len(ln) > 120)
    if long_lines:
        findings.append(Finding(min(0.3, 0.03 * long_lines), f"{long_lines} lines over 120 characters"))
    findings += repeated(0.05, len(_REPEATED_WORD_RE.findall(src.text)), "a word repeated twice in a row")
    if src.shouting:
        findings.append(Finding(0.2, "mostly upper case (shouting)"))
    return findings


def vote(src: Source, cell, memory, votes=None) -> Vote:
    if not src.is_python:
        return cast(NAME, 80.0, text_smells(src), PHI_INV * 0.5, praise="reads cleanly")
    # Documented functions are the janitor's praise: base 80, up to 92 when all have docstrings.
    documented = sum(f.has_docstring for f in src.functions) / max(1, len(src.functions))
    return cast(NAME, 80.0 + 12.0 * documented, python_smells(src), PHI_INV * 0.9, praise="clean and tidy")
