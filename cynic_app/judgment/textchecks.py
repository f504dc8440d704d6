"""The text scan: what a tree does not hold (comments, keys inside any literal, credentials in
URLs), and the generic patterns that stand in where there is no tree. The rules are in
textrules.py; JavaScript, TypeScript and shell are read from their trees (treechecks.py).

A rule's pattern runs only when one of its needles occurs in the lower-cased text (a substring
test at C speed; most rules never find theirs), then in one pass over the text; a match is
confirmed on its own line (``confirm``), never by rescanning. Every pattern is linear: no nested
quantifiers, and no unbounded span that could cross lines except inside a JavaScript template
literal (bounded by its backticks).
"""

from __future__ import annotations

from .patterns import linear
from .rules import hit
from .source import JAVASCRIPT, OTHER_CODE, PYTHON, SHELL, TEXT, TYPESCRIPT, Source
from .textrules import ANY, GENERIC
from .vote import Finding

_RULES_BY_LANGUAGE = {
    PYTHON: ANY,
    JAVASCRIPT: ANY,
    TYPESCRIPT: ANY,
    SHELL: ANY,
    OTHER_CODE: ANY + GENERIC,
    TEXT: ANY + GENERIC,
}


#: Rules whose matches inside a docstring are examples, not leaks (a real key is a leak anywhere).
_EXAMPLE_RULES = frozenset({"secret-in-url", "hardcoded-secret"})


def text_findings(src: Source) -> list[Finding]:
    """The text checks of the content's language; each rule reported once per line."""
    # Python that does not parse has no tree to check: the generic patterns stand in for it.
    language = OTHER_CODE if src.language == PYTHON and src.tree is None else src.language
    lower = src.lower
    found: list[Finding] = []
    for rule in _RULES_BY_LANGUAGE[language]:
        if rule.needles and not any(n in lower for n in rule.needles):
            continue
        seen: set[int] = set()
        for m in rule.regex.finditer(src.text):
            line = src.line_of(m.start())
            if line in seen:
                continue
            groups = m.groups()
            message = rule.message.format(*groups) if groups else rule.message
            if rule.confirm is not None:
                confirmed = rule.confirm(src, m, src.line_text(line))
                if confirmed is None:
                    continue
                message = confirmed.replace("{msg}", message)
            seen.add(line)
            if rule.rule in _EXAMPLE_RULES and line in src.docstring_lines:
                continue  # a credential in a docstring is an example of how to write one
            found.append(hit(rule.rule, line, message))
    if language == PYTHON and "#" in src.text:
        found += commented_out_code(src)
    return found


_COMMENTED_CODE_RE = linear(
    "commented-code",
    r"(?m)^[ \t]*#[ \t]*(?:(?:def|class|return|import|for|while|if|elif|else|try|except|with)\b[^\n]*"
    r"|[\w.\[\]\"']+[ \t]*(?:[-+*/]?=|\()[^\n]*)$",
)


def commented_out_code(src: Source) -> list[Finding]:
    """Runs of three or more comment lines that read as code."""
    found = []
    run_start = run_end = -2
    for m in _COMMENTED_CODE_RE.finditer(src.text):
        line = src.line_of(m.start())
        if line == run_end + 1:
            run_end = line
            continue
        if run_end - run_start >= 2:
            found.append(_commented(run_start, run_end))
        run_start = run_end = line
    if run_end - run_start >= 2:
        found.append(_commented(run_start, run_end))
    return found


def _commented(first: int, last: int) -> Finding:
    return hit("commented-out-code", first, f"{last - first + 1} lines of commented-out code")
