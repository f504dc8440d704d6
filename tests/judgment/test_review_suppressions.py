"""An adversarial review of how suppression comments are read (6f54dbf) and lines counted (4daf22a):
each case below was red on 6f54dbf. Only a comment on a finding's line suppresses: not a string in
Python the judge cannot parse, not a block comment's later line, not a comment a lone \\r or U+2028
puts on another JavaScript line, not a '#' that bash reads as part of a word."""

from __future__ import annotations

import pytest

import cynic_app.judgment.source as source_module
from cynic_app.judgment import Cell, judge
from cynic_app.judgment.source import Source
from tests.support.growth import Work, ratio


def holes(content: str, context: str) -> list[dict]:
    j = judge(Cell.create(content=content, context=context))
    found = [f for f in j.findings if f["kind"] == "security"]
    assert found, "the hole is found"
    return found


def test_a_string_holding_nosec_does_not_suppress_in_python_the_judge_cannot_parse():
    """A syntax error elsewhere (here Python 3.14's unparenthesised except, which runs there) made
    the judge read the line's text from its first '#': the string hid the hole."""
    text = "import os\ntry:\n    pass\nexcept ValueError, TypeError:\n    pass\n"
    text += "os.system(input()); x = '# nosec'\n"
    (f,) = holes(text, "file: a.py")
    assert f["line"] == 6 and f["suppressed"] is None


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffimport os\nos.system(input()); x = '# nosec'\n",  # a byte-order mark (sent to a node)
        "import os\nos.system(input()); x = '# nosec'\ny = (\n",  # a bracket left open below
        "import os\nos.system(input()); x = t'# nosec {y}'\n",  # a template string (Python 3.14)
    ],
)
def test_a_string_holding_nosec_does_not_suppress_in_python_that_does_not_parse(text):
    assert [f["suppressed"] for f in holes(text, "file: a.py")] == [None]


@pytest.mark.parametrize(
    "text",
    [
        "import os\nos.system(input())  # nosec\ny = (\n",
        "\ufeffimport os\nos.system(input())  # nosec\n",
        "import os\nos.system(input())  # nosec\nx = 'never closed\n",  # the tokenizer stops below
    ],
)
def test_a_real_comment_still_suppresses_in_python_that_does_not_parse(text):
    assert [f["suppressed"] for f in holes(text, "file: a.py")] == ["nosec"]


def test_a_block_comment_suppresses_only_on_its_first_line():
    """A '// nosec' on the second line of a block comment that starts on the hole's line is on
    another line."""
    text = 'const cp = require("child_process");\n'
    text += 'cp.exec(process.argv[2]); const u = "http://cynic"; /*\n// nosec */\n'
    assert [f["suppressed"] for f in holes(text, "file: a.js")] == [None]


@pytest.mark.parametrize("context", ["file: a.js", "file: a.ts"])
@pytest.mark.parametrize("brk", ["\r", "\u2028", "\u2029"])
@pytest.mark.parametrize("order", ["comment first", "hole first"])
def test_a_comment_a_javascript_line_break_puts_on_another_line_does_not_suppress(context, brk, order):
    """JavaScript ends a line at a lone \\r, U+2028 and U+2029 (a '//' comment ends there; an
    editor shows two lines), tree-sitter's rows only at \\n: the comment and the hole shared a row."""
    hole, comment = "cp.exec(process.argv[2]);", "// nosec"
    row = f"{comment}{brk}{hole}" if order == "comment first" else f"{hole}{brk}{comment}"
    text = f'const cp = require("child_process");\n{row}\n'
    assert [f["suppressed"] for f in holes(text, context)] == [None]


@pytest.mark.parametrize("context", ["file: a.js", "file: a.ts"])
def test_a_comment_still_suppresses_at_the_end_of_a_crlf_line(context):
    text = 'const cp = require("child_process");\r\ncp.exec(process.argv[2]); // nosec\r\nlet a = 1;\r\n'
    assert [f["suppressed"] for f in holes(text, context)] == ["nosec"]


@pytest.mark.parametrize("before", ["\r", "\x0c", "\x0b", " \r", ";\r"])
def test_a_hash_bash_reads_inside_a_word_does_not_suppress(before):
    """bash starts a comment only at a word's start (after a blank, a newline or an operator):
    after \\r, a form feed or \\x0b the '#' is part of a word (eval runs '$1\\r#' nosec), though
    tree-sitter-bash reads a comment."""
    text = f'#!/bin/sh\neval "$1"{before}# nosec\n'
    assert [f["suppressed"] for f in holes(text, "file: a.sh")] == [None]


@pytest.mark.parametrize("before", [" ", "\t", ";", "; ", "&", "|"])
def test_a_shell_comment_after_a_blank_or_an_operator_still_suppresses(before):
    text = f'#!/bin/sh\neval "$1"{before}# nosec\r\n'
    assert [f["suppressed"] for f in holes(text, "file: a.sh")] == ["nosec"]


def test_python_is_not_tokenized_when_no_finding_line_names_a_suppression(monkeypatch):
    """The docs: the tokenizer runs only for a file where a finding's line names a suppression.
    It ran for every file holding a '#' or '//'."""

    def refuse(text):
        raise AssertionError("tokenized")

    monkeypatch.setattr(source_module, "_python_comments", refuse)
    text = "import os\n# a comment\nos.system(input())\n"
    assert [f["suppressed"] for f in holes(text, "file: a.py")] == [None]


def test_many_comments_on_one_row_are_gathered_in_linear_time():
    """Each comment on a row was appended to the row's text so far (a copy of it): quadratic."""

    def gathering(n: int) -> Work:  # timed on a text already parsed
        def parsed() -> Source:
            src = Source("x;" + "/*\U0001f600*/" * n + "\n", "file: a.js")
            assert src.syntax_tree is not None
            return src

        return Work(lambda src: src.comment_of(1), parsed)

    measured = ratio(gathering(20_000), gathering(5_000), limit=8.0)
    assert measured.value <= 8.0, f"4x the comments: {measured}"
