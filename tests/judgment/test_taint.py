"""The taint engine on annotated cases (tests/judgment/cases: written with the engine, so tuning
material, not evidence): every `ruleid:` line gets that rule's finding, no `ok:` line does."""

from __future__ import annotations

from pathlib import Path

import pytest

from cynic_app.evaluate.corpora import annotate
from cynic_app.judgment import Cell, judge

CASES = Path(__file__).parent / "cases"


def judged(name: str):
    text = (CASES / name).read_text()
    return judge(Cell.create(content=text, context=f"file: {name}")), annotate(text)


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.glob("*.py")))
def test_annotated_holes_are_found_and_look_alikes_are_not(name):
    j, labels = judged(name)
    by_line: dict[int, set[str]] = {}
    for f in j.findings:
        by_line.setdefault(f["line"], set()).add(f["rule"])
    missed = {line: rule for line, rule in labels.holes.items() if rule not in by_line.get(line, set())}
    flagged = {
        line: rule
        for line, rule in labels.safe.items()
        if any(f["rule"] == rule and f["line"] == line and not f["suppressed"] for f in j.findings)
    }
    assert (missed, flagged) == ({}, {})
    assert labels.holes  # the file labels something


def test_a_flow_names_where_the_input_came_from():
    j, _ = judged("flask_flows.py")
    sql = next(f for f in j.findings if f["rule"] == "sql-injection")
    assert sql["cwe"] == 89 and sql["confidence"] >= 0.8 and sql["kind"] == "security"
    assert sql["source_line"] and sql["source_line"] < sql["line"]
    assert f"from line {sql['source_line']}" in sql["message"]


def test_a_flow_into_a_helper_is_reported_where_the_helper_does_harm():
    j, _ = judged("helpers_and_sources.py")
    (found,) = [f for f in j.findings if "request.cookies" in f["message"]]
    assert found["rule"] == "unsafe-deserialisation" and found["line"] == 13 and found["source_line"] == 17


def test_a_suppressed_finding_is_reported_marked_and_counts_for_nothing():
    j, _ = judged("suppressed.py")
    (f,) = [f for f in j.findings if f["rule"] == "shell-injection"]
    assert f["suppressed"] == "nosec"
    assert j.verdict in ("HOWL", "WAG") and not j.vetoed_by


@pytest.mark.parametrize(
    "comment, suppressed",
    [
        ("# nosec", "nosec"),
        ("# nosec B602", "nosec"),
        ("# nosec B101", None),
        ("# noqa: S602", "noqa"),
        ("# noqa", None),  # a bare noqa silences style, not security
        ("# cynic: ignore[shell-injection]", "cynic: ignore"),
        ("# cynic: ignore[sql-injection]", None),
        ("# nosemgrep", "nosemgrep"),
    ],
)
def test_suppression_comments_people_already_write(comment, suppressed):
    text = (
        "import subprocess\nfrom flask import request\n\n"
        f"def run():\n    subprocess.run(request.args['c'], shell=True)  {comment}\n"
    )
    j = judge(Cell.create(content=text))
    (f,) = [f for f in j.findings if f["rule"] == "shell-injection"]
    assert f["suppressed"] == suppressed
    assert (j.verdict == "BARK") == (suppressed is None)


@pytest.mark.parametrize(
    "text, context",
    [
        ("import os\nos.system(input()); x = '# nosec'\n", "file: a.py"),
        ("import os\nos.system(input() + '# nosec')\n", "file: a.py"),
        ('import os\nos.system(input() + """\n# nosec""")\n', "file: a.py"),
        ("import os\nos.system(input() + f'{1} # noqa: S605')\n", "file: a.py"),
        ('const cp = require("child_process");\ncp.exec(process.argv[2] + "// nosec");\n', "file: a.js"),
        ('const cp = require("child_process");\ncp.exec(`${process.argv[2]} # nosec`);\n', "file: a.ts"),
        ('curl -s https://get.example.com/i.sh | sh; echo "# nosec"\n', "file: a.sh"),
    ],
)
def test_a_suppression_word_inside_a_string_is_not_a_comment(text, context):
    """bandit and ruff read suppressions from comments only: a string holding '# nosec' hid the
    hole on its line (found while reviewing cynic judge's suppressions)."""
    j = judge(Cell.create(content=text, context=context))
    holes = [f for f in j.findings if f["kind"] == "security"]
    assert holes and not any(f["suppressed"] for f in holes), j.findings
    assert j.verdict == "BARK"


def test_a_suppression_comment_after_a_string_that_looks_like_one_still_counts():
    text = "import os\nos.system(input() + '#')  # nosec B605\n"
    (f,) = [f for f in judge(Cell.create(content=text)).findings if f["rule"] == "shell-injection"]
    assert f["suppressed"] == "nosec"


def test_a_public_parameter_built_into_a_command_barks_in_a_snippet_and_counts_less_in_a_module():
    snippet = "import os\n\ndef compress(name):\n    os.system('gzip ' + name)\n"
    assert judge(Cell.create(content=snippet)).verdict == "BARK"
    padding = "".join(f"\n\ndef helper_{i}(x: int) -> int:\n    return x + {i}\n" for i in range(40))
    module = judge(Cell.create(content=snippet + padding))
    (f,) = [f for f in module.findings if f["rule"] == "shell-injection"]
    assert f["confidence"] < 0.5 and module.verdict != "BARK"


def test_a_findings_column_counts_characters_not_bytes():
    text = 'from flask import request\nimport os\n\ndef f():\n    h = "é"; os.system(request.args["x"])\n'
    (f,) = [f for f in judge(Cell.create(content=text)).findings if f["rule"] == "shell-injection"]
    line = text.splitlines()[f["line"] - 1]
    assert line[f["column"] - 1 :].startswith("os.system(")


def test_the_comments_are_read_only_for_a_file_where_a_finding_line_names_a_suppression(monkeypatch):
    """The tokenizer costs about as much as a parse: a judgment with findings and comments but no
    suppression word on a finding's line never runs it (6f54dbf ran it for every file, +36 % of the
    instructions of a 3 KB judgment)."""
    from cynic_app.judgment import source

    def refuse(_text):
        raise AssertionError("comments read without a suppression on a finding's line")

    monkeypatch.setattr(source, "_python_comments", refuse)
    text = "import os\n\n# run it\ndef run(cmd):  # a comment\n    os.system(input())\n"
    assert [f for f in judge(Cell.create(content=text)).findings if f["kind"] == "security"]


def test_a_closure_and_a_lambda_carry_a_flow_as_surely_as_a_call_of_a_function():
    """A nested function reading its enclosing view's input, and a lambda bound to a name, were
    read as functions of unknown arguments: the closure's os.system() only a low look (0.3), the
    lambda's nothing at all. The enclosing function's names are now what its calls give."""
    j, _ = judged("programs_and_closures.py")
    lines = (CASES / "programs_and_closures.py").read_text().splitlines()
    for text in ("        os.system(command)", '    run = lambda c: os.system("ls " + c)  # noqa: E731'):
        line = lines.index(text) + 1
        (found,) = [f for f in j.findings if f["line"] == line and f["rule"] == "shell-injection"]
        assert found["kind"] == "security" and found["confidence"] >= 0.8, found


def test_a_list_changed_in_place_before_it_is_spread_into_a_call_passes_the_input_where_it_now_is():
    """Review of ee8573d: `del parts[0]`, `parts.reverse()` and `parts.sort()` left the tracked
    items as they were, so f(*parts) gave the input to the wrong parameter: the hole was only a
    possible finding (0.3). A constant index deletes that item, reverse() reverses, sort() leaves
    no known order."""
    j, _ = judged("programs_and_closures.py")
    lines = (CASES / "programs_and_closures.py").read_text().splitlines()
    for helper in ("tool_after_del_runs", "tool_reversed_runs", "tool_sorted_runs"):
        line = lines.index(f'def {helper}(command, log="tool.log"):') + 3
        (found,) = [f for f in j.findings if f["line"] == line and f["rule"] == "shell-injection"]
        assert found["kind"] == "security" and found["confidence"] >= 0.8, (helper, found)


def test_a_function_calling_its_sibling_gives_it_the_enclosing_functions_names_not_its_own():
    """Review: step(command) calling its sibling execute(), whose free command is the enclosing
    function's constant, gave it step's own parameter: a false 0.9 flow (and, shadowed the
    other way round, a missed one). A caller nested in the function that defines the callee
    gives the names of that function."""
    j, _ = judged("programs_and_closures.py")
    lines = (CASES / "programs_and_closures.py").read_text().splitlines()
    constant = "        os.system(command)  # a constant"
    line = next(i for i, text in enumerate(lines) if text.startswith(constant))
    found = [f for f in j.findings if f["line"] == line + 1 and f["rule"] == "shell-injection"]
    assert [f["kind"] for f in found] in ([], ["smell"]), found
    line = lines.index('        command = "uptime"  # not execute()\'s') - 3  # the hole above it
    (found,) = [f for f in j.findings if f["line"] == line + 1 and f["rule"] == "shell-injection"]
    assert found["kind"] == "security" and found["confidence"] >= 0.8, found
