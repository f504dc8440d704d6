"""Every regular expression the judge applies to content, in one of two forms that are linear
in the length of the text whatever its shape (no crafted body can turn one into a stall):

- ``linear(name, pattern)``: compiled by RE2, linear by construction (no backtracking at all).
  Lookaround and back-references do not exist in RE2; the few checks that need them are written
  with string operations beside the pattern that finds the candidates. RE2's ``\\w``, ``\\d``,
  ``\\s`` and ``\\b`` are ASCII.
- ``tokens(name, pattern)``: compiled by Python's re, only for a pattern that is a sequence of
  single characters or classes where nothing follows the one repetition, which is checked when
  it is compiled: with nothing after the repetition there is nothing to backtrack into, so each
  character is read a bounded number of times. These tokenisers (words, identifiers) run on
  every judgment, and RE2's binding costs microseconds per match where re costs nanoseconds.

Each is compiled once and registered under its name, so that a test can time every pattern on
its own worst-case inputs (tests/judgment/test_linear.py).
"""

from __future__ import annotations

import re

import re2

try:
    from re import _constants as _sre  # Python 3.11+
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _sre
    import sre_parse as _sre_parse

_REGISTRY: dict[str, object] = {}
#: Elements of a token pattern: one character, one class of characters, or an anchor.
_SINGLE = {_sre.LITERAL, _sre.NOT_LITERAL, _sre.IN, _sre.ANY}
_ANCHORS = {_sre.AT}


class NotLinear(ValueError):
    """A token pattern has a shape that Python's re could backtrack on."""


class Linear:
    """An RE2 pattern that reads any Python string: RE2 reads UTF-8, and a string literal in
    judged code may hold a lone surrogate (``"\\udb88"``), which UTF-8 cannot encode. Such
    characters are read as U+FFFD (one character for one: offsets do not move)."""

    __slots__ = ("_regexp", "pattern")

    def __init__(self, pattern: str):
        self._regexp = re2.compile(pattern)
        self.pattern = pattern

    def search(self, text: str, *args):
        return self._regexp.search(_encodable(text), *args)

    def match(self, text: str, *args):
        return self._regexp.match(_encodable(text), *args)

    def fullmatch(self, text: str, *args):
        return self._regexp.fullmatch(_encodable(text), *args)

    def finditer(self, text: str, *args):
        return self._regexp.finditer(_encodable(text), *args)

    def findall(self, text: str, *args):
        return self._regexp.findall(_encodable(text), *args)

    def sub(self, replacement, text: str, count: int = 0):
        return self._regexp.sub(replacement, _encodable(text), count)


def _encodable(text: str) -> str:
    """text, its lone surrogates (if any) replaced by U+FFFD; linear, and free for ASCII."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def linear(name: str, pattern: str):
    """The pattern compiled by RE2 (``(?i)``, ``(?m)``, ``(?s)`` flags inline), registered by name."""
    return _register(name, pattern, Linear)


def tokens(name: str, pattern: str):
    """A tokeniser compiled by Python's re, refused unless its one repetition comes last."""
    items = list(_sre_parse.parse(pattern))
    for i, (op, value) in enumerate(items):
        if op in _SINGLE or op in _ANCHORS:
            continue
        repeated = op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT)
        single = len(value[2]) == 1 and value[2][0][0] in _SINGLE if repeated else False
        if single and i == len(items) - 1:
            continue
        raise NotLinear(f"{name}: {pattern!r} is not a run of single characters ending in its one repetition")
    return _register(name, pattern, re.compile)


def _register(name: str, pattern: str, compile_):
    known = _REGISTRY.get(name)
    if known is not None:
        if known.pattern != pattern:
            raise ValueError(f"pattern name {name!r} is registered twice")
        return known
    compiled = _REGISTRY[name] = compile_(pattern)
    return compiled


def registered() -> dict[str, str]:
    """{name: pattern} of every pattern compiled so far (import the judge first)."""
    return {name: p.pattern for name, p in _REGISTRY.items()}


def is_re2(name: str) -> bool:
    return isinstance(_REGISTRY[name], Linear)
