"""A second adversarial review of how suppression comments are read (2958d50): each case marked red
was red on 2958d50. Not a comment: a string in a template string (Python 3.14) that an older
tokenizer read as a name and strings, nor a '#' after a blank that a backslash escapes in shell
(bash reads it as part of a word)."""

from __future__ import annotations

import sys

import pytest

from cynic_app.judgment import Cell, judge
from cynic_app.judgment.source import Source, _python_comments, _templates_as_fstrings
from tests.support.growth import Work, ratio, work


def holes(content: str, context: str) -> list[dict]:
    j = judge(Cell.create(content=content, context=context))
    found = [f for f in j.findings if f["kind"] == "security"]
    assert found, "the hole is found"
    return found


#: Python 3.11's tokenizer reads no f-string whose replacement field holds its own quote (3.12 does).
needs_pep701 = pytest.mark.skipif(sys.version_info < (3, 12), reason="the tokenizer reads PEP 701 f-strings")


@needs_pep701
@pytest.mark.parametrize(
    "line",
    [
        # red: the tokenizer read t, '{"', "}', " and a comment "# nosec '\"" (no error at all)
        "os.system(input()); a = t'{\"'\"}', \"# nosec '\"",
        # red: the tokenizer stopped on the line (an unterminated string), so its text was read
        "os.system(input()); x = t'{\"'\"} # nosec'",
        "os.system(input()); x = Rt'{\"'\"} # nosec'",
    ],
)
def test_a_template_string_holding_nosec_does_not_suppress(line):
    """Python 3.14's t'{"'"} # nosec' is a template string: the judge (on an older Python) cannot
    parse it, and its tokenizer read the quote inside the replacement field as the string's end."""
    assert [f["suppressed"] for f in holes(f"import os\n{line}\n", "file: a.py")] == [None]


def test_a_real_comment_after_a_template_string_still_suppresses():
    text = "import os\nos.system(input()); x = t'{\"'\"}'  # nosec\n"
    assert [f["suppressed"] for f in holes(text, "file: a.py")] == ["nosec"]


@needs_pep701
def test_the_comments_of_python_with_template_strings_are_read_as_written():
    text = "x = t'{\"'\"}', \"# not '\"  # nosec it't\ny = tr'a' + at'b'  # c\n"
    assert _python_comments(text) == ({1: "# nosec it't", 2: "# c"}, 0)


@pytest.mark.parametrize("escaped", ["\\ ", "a\\\t", "\\\\\\ "])  # red: the first two
def test_a_hash_after_an_escaped_blank_does_not_suppress_in_shell(escaped):
    """'eval "$1" \\ # nosec' passes ' #' and 'nosec' to eval: bash reads the '#' as part of a
    word (echo a\\ # nosec prints 'a # nosec'), tree-sitter-bash as a comment after a blank."""
    text = f'#!/bin/bash\neval "$1" {escaped}# nosec\n'
    assert [f["suppressed"] for f in holes(text, "file: a.sh")] == [None]


@pytest.mark.parametrize("before", ["\\\\ ", " ", "a; ", "a \\\\\\\\\t"])
def test_a_shell_comment_after_an_unescaped_blank_still_suppresses(before):
    text = f'#!/bin/bash\neval "$1" {before}# nosec\n'
    assert [f["suppressed"] for f in holes(text, "file: a.sh")] == ["nosec"]


def _parsed_shell(text: str) -> Source:
    source = Source(text, "file: a.sh")
    assert source.syntax_tree is not None
    return source


#: The review's shapes, and how each is read: the time measured is the reading, not the parse.
_READINGS = {
    # Many template prefixes, each respelled: the rewrite is a scan with find, then one join.
    "template prefixes": (
        lambda n: "x = t'a' + rt\"b\" + tr'c'  # nosec\n" * n,
        lambda text: work(lambda: _templates_as_fstrings(text)),
    ),
    # Backslash runs and line continuations before every comment: each looks back over its own.
    "shell backslashes": (
        lambda n: ("echo a" + "\\" * 41 + " \\\n b \\ # nosec\n c # nosec\n") * n,
        lambda text: Work(lambda source: source.comment_of(1), lambda: _parsed_shell(text)),
    ),
}


@pytest.mark.parametrize("shape", sorted(_READINGS))
def test_reading_comments_grows_linearly_with_the_worst_shapes(shape):
    """The review's shapes at a quarter and at the whole size (about 100,000 characters): the CPU
    time may grow with the size, not with its square (4x the text, at most 8x)."""
    text, reading = _READINGS[shape]
    n = 100_000 // len(text(1))
    measured = ratio(reading(text(n)), reading(text(n // 4)), limit=8.0)
    assert measured.value <= 8.0, f"4x the text: {measured}"
