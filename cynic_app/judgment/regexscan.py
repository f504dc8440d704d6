"""Whether a regular expression can backtrack catastrophically: a repeated group that holds a
repeat and ends in a repeat or an optional part (``(a+)+``, ``(\\w+\\s?)*``, ``(x|y+){2,}``), so
that one input splits between the repetitions in exponentially many ways. A group that ends in a
fixed character (``(?:[a-z]+\\.)*``) splits one way only and is not reported.

This reads a pattern written in the code, never applies one: one pass over the pattern's text
with a stack of open groups, escapes and character classes skipped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class _Group:
    repeats: bool = False  # holds a repeated part
    tail: bool = False  # the current branch ends in a repeated or optional part
    branch_tail: bool = False  # an earlier branch did
    tokens: int = 0  # tokens read in the current branch
    fixed_head: bool = True  # every branch starts with a fixed character (``\.``, ``,``)


def nested_quantifier(pattern: str) -> bool:
    """True when a repeated group can match the same text in many ways (see the module)."""
    groups = [_Group()]
    i, n = 0, len(pattern)
    more = _significant_after(pattern)
    closed = False  # the previous token closed a group that can split its input many ways
    while i < n:
        c = pattern[i]
        if c in "+*{?" and i > 0:
            if c == "{" and not _repeats(pattern, i):
                closed = False
                groups[-1].tail = False
                i += 1
                continue
            if c != "?" and closed and more[min(n, _after_quantifier(pattern, i))]:
                return True
            if groups[-1].tokens == 1 and pattern[i - 1] != "(":
                groups[-1].fixed_head = False  # the first part repeats or may be absent
            if c != "?" or pattern[i - 1] not in "+*}?":
                groups[-1].repeats = groups[-1].repeats or c != "?"
                groups[-1].tail = True
            closed = False
            i = _after_quantifier(pattern, i)
            continue
        closed = False
        group = groups[-1]
        if c in "(|)" or (c == "?" and i > 0 and pattern[i - 1] == "("):
            pass
        elif group.tokens == 0 and c != ":":
            fixed = c not in ".^$"  # a character, an escape or a class: a delimiter
            group.fixed_head = group.fixed_head and fixed
            group.tokens += 1
        elif c != ":" or pattern[i - 2 : i] != "(?":
            group.tokens += 1
        if c == "\\":
            i += 2
            group.tail = False
            continue
        if c == "[":
            end = _class_end(pattern, i)
            group.tail = False
            i = end + 1
            continue
        if c == "(":
            groups.append(_Group())
        elif c == "|":
            group.branch_tail = group.branch_tail or group.tail
            group.tail = False
            group.tokens = 0
        elif c == ")" and len(groups) > 1:
            groups.pop()
            closed = group.repeats and (group.tail or group.branch_tail) and not group.fixed_head
            groups[-1].repeats = groups[-1].repeats or group.repeats
            groups[-1].tail = closed
            groups[-1].tokens += 1
            i += 1
            continue
        else:
            group.tail = False
        i += 1
    return False


def _significant_after(pattern: str) -> list[bool]:
    """For each position, whether something that must match (an anchor, a character) follows at
    or after it: without that, the first way to split the input succeeds and nothing backtracks.
    One backward pass."""
    more = [False] * (len(pattern) + 1)
    for i in range(len(pattern) - 1, -1, -1):
        more[i] = more[i + 1] or pattern[i] not in ")|*+?"
    return more


def _after_quantifier(pattern: str, at: int) -> int:
    """The index just past the quantifier at ``at`` (``{m,n}`` included, as _repeats read it)."""
    if pattern[at] != "{":
        return at + 1
    end = pattern.find("}", at, at + _BRACE_SPAN)
    return end + 1 if end >= 0 else at + 1


def _class_end(pattern: str, at: int) -> int:
    """The index of the ``]`` closing the character class opened at ``at``."""
    i = at + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i


#: A ``{m,n}`` quantifier is read within this many characters (longer: a literal brace), so that
#: no brace makes the scan look far ahead again and again.
_BRACE_SPAN = 16


def _repeats(pattern: str, at: int) -> bool:
    """A ``{…}`` quantifier that allows more than one repeat."""
    end = pattern.find("}", at, at + _BRACE_SPAN)
    if end < 0:
        return False
    body = pattern[at + 1 : end]
    low, _, high = body.partition(",")
    if (low.strip() and not low.strip().isdigit()) or "," not in body:
        return False  # a literal brace, or an exact count: one way to split
    return not high.strip() or (high.strip().isdigit() and int(high) > int(low or 0))
