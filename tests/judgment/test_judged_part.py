"""A node reads the first JUDGED_CHARS of a longer content: where it cuts decides what it reads.

The cut fell only before a line at column 0 that made the part parse, trying CUT_TRIES such
lines: a module whose cut fell in a long docstring (its lines at column 0) tried five lines of
the docstring, none parsed, and the part was read as text, its doctest `>>> eval(x)` a BARK; a
class longer than the limit was cut before the class, so a hole in its first method was not
read (HOWL). A part may end after any whole statement, at any depth: a class or a function
whose body ends early is still Python."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cynic_app.judgment import Cell, judge
from cynic_app.judgment.engine import JUDGED_CHARS, judged_part
from tests.support.growth import ratio, work

STDLIB = Path(ast.__file__).parent


def _security(j) -> list[dict]:
    return [f for f in j.findings if f["kind"] == "security" and not f["suppressed"]]


def _doctest_module(functions: int) -> str:
    """A clean module whose functions' docstrings hold long examples at column 0."""
    example = "".join(f">>> eval('{i} + 1')\n{i + 1}\n" for i in range(40))
    return '"""Arithmetic helpers."""\n\n\n' + "".join(
        f'def plus_{i}(value):\n    """Add {i}.\n\nExamples:\n\n{example}"""\n    return value + {i}\n\n\n'
        for i in range(functions)
    )


def test_a_cut_in_a_docstring_is_moved_to_the_statement_before_it_not_read_as_text():
    content = _doctest_module(120)
    assert len(content) > JUDGED_CHARS
    part = judged_part(content, "file: helpers.py")
    ast.parse(part)
    assert len(part) > JUDGED_CHARS - 2_000  # the last whole function before the limit
    j = judge(Cell.create(content=content, context="file: helpers.py"))
    assert j.language == "python"
    assert _security(j) == [] and j.verdict in ("HOWL", "WAG"), _security(j)
    assert not [f for f in j.findings if f["rule"] == "syntax-error"]


def test_a_class_longer_than_the_limit_is_read_up_to_its_last_whole_method_before_it():
    methods = "".join(
        f'    def area_{i}(self) -> float:\n        """The area, scaled by {i}."""\n'
        f"        return self.side * self.side * {i}.0\n\n"
        for i in range(3000)
    )
    content = (
        "import subprocess\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
        "class Shapes:\n"
        '    @app.route("/run")\n'
        "    def run(self):\n"
        '        subprocess.run(request.args["cmd"], shell=True)\n'
        '        return "done"\n\n' + methods
    )
    assert len(content) > 2 * JUDGED_CHARS
    part = judged_part(content, "file: shapes.py")
    ast.parse(part)
    assert part.startswith(content[:200]) and len(part) > JUDGED_CHARS - 200
    j = judge(Cell.create(content=content, context="file: shapes.py"))
    assert [(f["rule"], f["line"]) for f in _security(j)] == [("shell-injection", 11)], _security(j)
    assert j.verdict == "BARK"


@pytest.mark.parametrize("name", ["turtle.py", "tkinter/__init__.py", "_pydecimal.py", "typing.py"])
def test_a_long_standard_module_is_cut_after_a_whole_statement_near_the_limit(name):
    content = (STDLIB / name).read_text(encoding="utf-8")
    assert len(content) > JUDGED_CHARS
    part = judged_part(content, f"file: {name}")
    ast.parse(part)
    assert content.startswith(part) and len(part) > JUDGED_CHARS - 5_000


def test_a_part_that_would_end_on_a_dangling_header_or_try_takes_the_statement_before():
    """Cut points that leave `try:` without its handler, or a decorator without its function, do
    not parse: the cut moves back to the next earlier statement."""
    unit = (
        "try:\n    import json\nexcept ImportError:\n    json = None\n@property\ndef p(self):\n    return 1\n"
    )
    content = unit * (JUDGED_CHARS // len(unit) + 50)
    for limit in range(JUDGED_CHARS - len(unit), JUDGED_CHARS, 3):
        part = judged_part(content, "file: x.py", limit)
        ast.parse(part)
        assert len(part) <= limit and len(part) > limit - 2 * len(unit)


def test_a_content_that_is_not_python_is_cut_at_a_line_end():
    content = "const a = 1;\n" * (JUDGED_CHARS // 13 + 10)
    part = judged_part(content, "file: a.js")
    assert part.endswith(";\n") and JUDGED_CHARS - 13 < len(part) <= JUDGED_CHARS


def test_a_module_that_is_one_literal_longer_than_the_limit_is_not_read_as_text():
    """pydoc_data/topics.py is a comment and one dict of 820,000 characters: no statement ends
    before the limit. Read as text, its strings' `eval(` were a BARK; the part is the comment."""
    content = (STDLIB / "pydoc_data" / "topics.py").read_text(encoding="utf-8")
    part = judged_part(content, "file: topics.py")
    assert part and content.startswith(part) and ast.parse(part).body == []
    j = judge(Cell.create(content=content, context="file: topics.py"))
    assert _security(j) == [] and j.verdict in ("HOWL", "WAG"), _security(j)


def test_one_json_object_longer_than_the_limit_is_still_read_as_text():
    """No comment before it: the cut part is read as text, so a key in it is still found."""
    content = '{"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",\n' + "".join(
        f'"k{i}": "{i:08d}",\n' for i in range(8000)
    )
    assert judged_part(content) == content[: content.rfind("\n", 0, JUDGED_CHARS) + 1]


def test_a_nul_after_an_unmatched_bracket_is_judged_not_a_crash():
    """Review: the tokenizer raised SystemError on `)` then NUL; judge() crashed."""
    content = "x = 1\n )\n\x00\n" + "y = 2\n" * 20000
    assert judge(Cell.create(content=content, context="file: a.py")).verdict


def test_long_unnamed_text_whose_first_lines_read_as_python_is_cut_at_a_line():
    """Review: a 124 KB Markdown without a file name was cut to its first comment line, and the
    key in it went unread (BARK before the tokenizer's cut, HOWL after)."""
    para = "This is a paragraph of plain text.\n"
    key = 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'
    content = "# Title\n\nDon't use this.\n" + para * 1500 + key + para * 1500
    assert len(judged_part(content)) > JUDGED_CHARS - 100


def test_a_cut_inside_a_long_try_body_moves_back_to_a_whole_statement_at_column_0():
    """Review: test_ssl.py's cut fell inside a `try:` body longer than CUT_TRIES statements; no
    try parsed (a `try:` without its handler), the part was read as text and its
    `ssl.CERT_NONE` lines were fourteen tls-unverified findings. The cut moves back to the last
    whole statement at column 0 that parses."""
    functions = "".join(
        f"def check_{i}(context):\n    return context.verify_mode == {i}\n\n\n" for i in range(1500)
    )
    body = "".join(f"    context.verify_mode = ssl.CERT_NONE  # case {i}\n" for i in range(3000))
    content = "import ssl\n\n\n" + functions + "try:\n" + body + "except OSError:\n    pass\n"
    assert len(functions) < JUDGED_CHARS < len(content) - len(body) // 2
    part = judged_part(content, "file: test_tls.py")
    ast.parse(part)
    assert part.endswith("return context.verify_mode == 1499\n")
    assert not [f for f in _security(judge(Cell.create(content=content, context="file: t.py")))]


def test_a_cut_inside_a_long_try_body_in_the_standard_test_suite_is_python():
    name = "test/test_ssl.py"
    if not (STDLIB / name).exists():
        pytest.skip("this Python has no test suite")
    content = (STDLIB / name).read_text(encoding="utf-8")
    part = judged_part(content, f"file: {name}")
    ast.parse(part)
    assert len(part) > JUDGED_CHARS // 2


def test_a_long_module_with_carriage_return_line_ends_is_cut_after_a_whole_statement():
    """Review: a module whose lines end in a lone \\r (classic Mac OS) and is longer than the
    limit was cut at the limit itself, inside a statement; Python reads \\r as a line end."""
    content = _doctest_module(120).replace("\n", "\r")
    part = judged_part(content, "file: helpers.py")
    assert content.startswith(part) and part.endswith("\r")
    ast.parse(part)
    assert len(part) > JUDGED_CHARS - 2_000
    # review of 728f66f: a first line ending in \n (a shebang) made the cut fall after it
    content = "#!/usr/bin/env python3\n" + content
    part = judged_part(content, "file: helpers.py")
    assert content.startswith(part) and len(part) > JUDGED_CHARS - 2_000
    ast.parse(part)


def test_a_try_body_past_the_limit_in_a_long_class_is_cut_before_the_try_not_before_the_class():
    """Review of 0e7e402: with only column-0 ends tried after the latest five, a class whose last
    method's `try:` body ran past the limit was cut before the class (53 characters read), and
    the hole in its first method went unread. The fallback now tries the latest end at each
    shallower indentation in turn: here the one before the method holding the `try:`."""
    methods = "".join(
        f"    def test_case_{i}(self):\n"
        f"        self.assertEqual(self.client.get('/item/{i}').status_code, 200)\n\n"
        for i in range(850)
    )
    hole = (
        "    def run_user_command(self):\n"
        '        command = request.args["c"]\n'
        '        os.system("nice " + command)\n\n'
    )
    body = "".join(f"            self.client.get('/slow/{i}')\n" for i in range(1500))
    head = "import os\nimport unittest\n\nfrom flask import request\n\n\n"
    head += "class ClientTests(unittest.TestCase):\n"
    slow = "    def test_slow(self):\n        try:\n" + body + "        except OSError:\n            pass\n"
    content = head + hole + methods + slow
    part = judged_part(content, "file: test_client.py")
    ast.parse(part)
    assert "def test_case_849" in part  # cut before the method holding the try:, at most
    j = judge(Cell.create(content=content, context="file: test_client.py"))
    assert ("shell-injection", 10) in [(f["rule"], f["line"]) for f in _security(j)], _security(j)


def test_the_cut_of_a_long_try_body_costs_linear_time():
    """Where to cut is read by the tokenizer and the fallback walks the statement ends once: 4x
    the part (a `try:` body past the limit, so every cut but the last falls back) costs at most
    8x the time (a quadratic search would cost 16x)."""

    def content(statements: int) -> str:
        return "import os\n\n\ntry:\n" + "    x = 1\n" * statements + "except OSError:\n    pass\n"

    small, large = content(5_000), content(20_000)
    measured = ratio(
        work(lambda: judged_part(large, "file: x.py", len(large) - 100)),
        work(lambda: judged_part(small, "file: x.py", len(small) - 100)),
        limit=8.0,
    )
    assert measured.value <= 8.0, f"4x the part: {measured}"
    assert judged_part(large, "file: x.py", len(large) - 100) == "import os\n"
