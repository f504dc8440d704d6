"""`cynic judge PATH…`: verdicts, exit codes, the text report, suppressions, and what it needs."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.review.conftest import (
    CLEAN,
    DEFECT,
    HOLE,
    HOLE_LINE,
    NOSEC,
    cynic,
    judge_on_a_terminal,
    judged_json,
)

FINDING_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[a-z-]+) (?P<message>.+)$")


def test_fail_on_bark_exits_1_on_a_shell_injection(tmp_path):
    (tmp_path / "app.py").write_text(HOLE)
    done = cynic("--fail-on", "BARK", "app.py", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert f"app.py:{HOLE_LINE}:" in done.stdout and "shell-injection" in done.stdout
    assert "app.py: BARK" in done.stdout


def test_fail_on_bark_exits_0_on_clean_code(tmp_path):
    (tmp_path / "prices.py").write_text(CLEAN)
    done = cynic("--fail-on", "BARK", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 file judged: 0 BARK, 0 GROWL, 0 WAG, 1 HOWL." in done.stdout


def test_fail_on_wag_passes_clean_javascript_and_shell_as_it_does_clean_python(tmp_path):
    """Review: every clean JavaScript or shell file was WAG (q 78.769): ANALYST gave any code
    but Python 72 ("no contradictions found"), though tree-sitter had read it whole, so
    `--fail-on WAG` failed them all. Code its parser reads without an error now gets what
    Python that parses does; a file it cannot parse still does not."""
    (tmp_path / "add.js").write_text("export function add(a, b) {\n  return a + b;\n}\n")
    (tmp_path / "hello.sh").write_text('#!/bin/sh\nset -eu\necho "hello, $1"\n')
    (tmp_path / "prices.py").write_text(CLEAN)
    done = cynic("--fail-on", "WAG", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 files judged: 0 BARK, 0 GROWL, 0 WAG, 3 HOWL." in done.stdout
    (tmp_path / "broken.js").write_text("export function add(a, b {\n  return a + ;\n}\n")
    assert cynic("--fail-on", "WAG", "broken.js", cwd=tmp_path).returncode == 1


def test_a_javascript_const_without_a_value_is_a_syntax_error_a_declared_one_is_not(tmp_path):
    """Review of e40f71e: tree-sitter reads `const x;` as a declaration, so a file `node --check`
    refuses became HOWL and passed `--fail-on WAG`. It is a syntax error now; a TypeScript
    `const x: T;` is not (in a `declare` block or a declaration file, `.d.ts`, it declares what
    exists elsewhere: Playwright's types.d.ts has `export const devices: Devices;`). (A stray
    `fi` or `done` in shell, which tree-sitter also reads as a command, is not caught: a check
    for it called valid scripts, /usr/bin/select-editor among them, syntax errors, since the
    grammar misreads some of them the same way.)"""
    (tmp_path / "cache.js").write_text("const cache;\nexport { cache };\n")
    (tmp_path / "globals.d.ts").write_text(
        "export const devices: Devices;\ndeclare global {\n  const DEBUG: boolean;\n}\n"
    )
    done = cynic("--fail-on", "WAG", "cache.js", "globals.d.ts", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cache.js:1:1: syntax-error" in done.stdout
    assert not [line for line in done.stdout.splitlines() if line.startswith("globals.d.ts:")]
    assert "0 BARK, 1 GROWL, 0 WAG, 1 HOWL." in done.stdout, done.stdout


def test_fail_on_names_the_verdict_that_fails_and_every_worse_one(tmp_path):
    (tmp_path / "load.py").write_text(DEFECT)  # GROWL
    assert cynic("--fail-on", "BARK", "load.py", cwd=tmp_path).returncode == 0
    assert cynic("--fail-on", "GROWL", "load.py", cwd=tmp_path).returncode == 1
    assert cynic("--fail-on", "wag", "load.py", cwd=tmp_path).returncode == 1  # any case
    assert cynic("--fail-on", "HOWL", "load.py", cwd=tmp_path).returncode == 2  # not a choice


def test_text_output_is_path_line_column_rule_message_then_a_summary(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HOLE)
    (tmp_path / "src" / "load.py").write_text(DEFECT)
    done = cynic("src", cwd=tmp_path)
    lines = done.stdout.splitlines()
    findings = [m.groupdict() for m in map(FINDING_LINE.match, lines) if m]
    assert {(f["path"], f["rule"]) for f in findings} == {
        ("src/app.py", "shell-injection"),
        ("src/load.py", "swallowed-error"),
    }
    hole = next(f for f in findings if f["rule"] == "shell-injection")
    assert (hole["line"], hole["col"]) == (str(HOLE_LINE), "12")
    assert hole["message"] == "request.form reaches subprocess.run() (CWE-78)"
    assert lines[-2:] == ["2 files judged: 1 BARK, 1 GROWL, 0 WAG, 0 HOWL.", "2 findings."]
    assert "\x1b[" not in done.stdout  # no colour in a pipe


def test_a_nosec_line_comes_back_suppressed_and_counts_for_nothing(tmp_path):
    (tmp_path / "app.py").write_text(NOSEC)
    report = judged_json("app.py", cwd=tmp_path)
    (entry,) = report["files"]
    (finding,) = [f for f in entry["findings"] if f["rule"] == "shell-injection"]
    assert finding["suppressed"] == "nosec" and finding["line"] == HOLE_LINE
    assert entry["verdict"] == "HOWL" and report["failed"] == []
    text = cynic("app.py", cwd=tmp_path)
    assert text.returncode == 0 and "shell-injection" not in text.stdout
    assert "0 findings, 1 suppressed." in text.stdout
    shown = cynic("--show-suppressed", "app.py", cwd=tmp_path)
    assert (
        "shell-injection request.form reaches subprocess.run() (CWE-78) [suppressed: nosec]" in shown.stdout
    )


def test_json_output_carries_every_file_verdict_and_finding(tmp_path):
    (tmp_path / "app.py").write_text(HOLE)
    (tmp_path / "prices.py").write_text(CLEAN)
    report = judged_json(".", cwd=tmp_path)
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path["app.py"]["verdict"] == "BARK" and by_path["prices.py"]["verdict"] == "HOWL"
    (hole,) = by_path["app.py"]["findings"]
    assert hole | {"severity": None} == {
        "dog": "GUARDIAN", "rule": "shell-injection", "severity": None, "line": HOLE_LINE,
        "message": "request.form reaches subprocess.run()", "cwe": 78, "confidence": 0.9, "column": 12,
        "kind": "security", "suppressed": None, "source_line": HOLE_LINE,
    }  # fmt: skip
    assert report["failed"] == ["app.py"] and report["fail_on"] == "BARK"


def test_empty_files_and_files_of_any_length_are_judged(tmp_path):
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "blank.py").write_text("\n\n   \n")
    (tmp_path / "big.py").write_text(CLEAN + "".join(f"RATE_{i} = {i}\n" for i in range(12_000)))
    assert (tmp_path / "big.py").stat().st_size > 150_000
    report = judged_json(".", cwd=tmp_path)
    assert {f["path"]: "verdict" in f for f in report["files"]} == {
        "__init__.py": True,
        "big.py": True,
        "blank.py": True,
    }
    assert report["errors"] == []


def test_binary_files_are_skipped_not_judged(tmp_path):
    (tmp_path / "blob.py").write_bytes(b"\x00\x01binary\x00" * 100)
    (tmp_path / "app.py").write_text(CLEAN)
    done = cynic(".", cwd=tmp_path)
    assert done.returncode == 0
    assert "1 file judged" in done.stdout and "Skipped: 1 binary." in done.stdout


def test_many_files_are_judged_in_parallel_processes_with_the_same_result(tmp_path):
    for i in range(24):
        (tmp_path / f"m{i:02}.py").write_text([CLEAN, DEFECT, HOLE][i % 3])
    serial = judged_json("--jobs", "1", ".", cwd=tmp_path)
    parallel = judged_json("--jobs", "2", ".", cwd=tmp_path)
    assert parallel == serial
    assert len(serial["failed"]) == 8


def test_usage_errors_exit_2(tmp_path):
    assert cynic("no-such-dir", cwd=tmp_path).returncode == 2
    assert cynic("--store", ".", cwd=tmp_path).returncode == 2  # --store without --server
    assert cynic("--format", "xml", ".", cwd=tmp_path).returncode == 2
    assert cynic("--diff", "HEAD", ".", cwd=tmp_path).returncode == 2  # not a git repository


def test_an_unreachable_node_exits_3(tmp_path):
    (tmp_path / "app.py").write_text(CLEAN)
    done = cynic("--server", "http://127.0.0.1:9", "app.py", cwd=tmp_path)
    assert done.returncode == 3
    assert "cannot reach the node at http://127.0.0.1:9" in done.stderr


def test_judging_needs_no_database_and_imports_neither_psycopg_nor_flask(tmp_path):
    (tmp_path / "app.py").write_text(HOLE)
    env = {"CYNIC_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none", "CYNIC_HOME": "/nonexistent/home"}
    assert cynic("app.py", cwd=tmp_path, env=env).returncode == 1
    probe = (
        "import sys; from click.testing import CliRunner; from cynic_app.cli import main; "
        "result = CliRunner().invoke(main, ['judge', 'app.py']); "
        "print(result.exit_code, sorted(m for m in ('psycopg', 'flask', 'gunicorn') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["1", "[]"]


def test_show_links_points_each_finding_at_its_rule_documentation(tmp_path):
    (tmp_path / "app.py").write_text(HOLE)
    done = cynic(
        "--show-links", "app.py", cwd=tmp_path, env={"CYNIC_RULES_URL": "https://docs.example.com/rules"}
    )
    assert "shell-injection request.form reaches subprocess.run() (CWE-78) " in done.stdout
    assert "https://docs.example.com/rules#shell-injection" in done.stdout


def test_a_terminal_gets_colour_and_a_progress_bar_and_a_pipe_gets_neither(tmp_path):
    for i in range(10):
        (tmp_path / f"m{i}.py").write_text(HOLE if i == 0 else CLEAN)
    piped = cynic(".", cwd=tmp_path)
    assert piped.stderr == "" and "\x1b[" not in piped.stdout
    out = judge_on_a_terminal(".", cwd=tmp_path).decode("utf-8", "replace")
    assert "judging" in out  # click's progress bar, on stderr
    assert "\x1b[" in out and "shell-injection" in out


def test_the_json_report_is_the_only_thing_on_stdout(tmp_path):
    (tmp_path / "app.py").write_text(HOLE)
    done = cynic("--format", "json", "app.py", cwd=tmp_path)
    assert json.loads(done.stdout)["files"][0]["path"] == "app.py"
