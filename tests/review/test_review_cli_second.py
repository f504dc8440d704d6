"""`cynic judge` against a second adversarial review, aimed at the first review's fixes (c2dd885):
each test here reproduced a failure of the documented contract before its fix."""

from __future__ import annotations

import json
import os
import signal

import pytest
from click.testing import CliRunner

from cynic_app.review import run as run_module
from tests.review.conftest import HOLE, HOLE_LINE, Repo, cynic, judge_on_a_terminal, raw_node, request_head
from tests.review.test_review_cli_adversarial import JUDGMENT, run_cynic, valid_sarif

# --diff


def test_diff_a_path_with_glob_characters_is_that_file_not_a_pattern(repo):
    """git reads a pathspec as a glob: '[a].py' named a.py, which was judged and failed the run."""
    repo.write("a.py", "x = 1\n")
    repo.write("[a].py", "y = 2\n")
    base = repo.commit("before")
    repo.write("a.py", HOLE)
    done = cynic("--diff", base, "[a].py", cwd=repo.path)
    assert "a.py:" not in done.stdout, done.stdout
    assert done.returncode == 0 and "0 files judged" in done.stdout


def test_diff_a_repository_under_a_directory_named_like_a_vendored_tree_is_judged(tmp_path):
    """A walk of build/proj judges its files (only directories below a PATH are skipped by name);
    --diff dropped them, because the name was tested relative to the current directory: a new
    hole passed with exit 0."""
    proj = Repo(tmp_path / "build" / "proj")
    proj.write("a.py", "x = 1\n")
    base = proj.commit("before")
    proj.write("a.py", HOLE)
    assert cynic("build/proj", cwd=tmp_path).returncode == 1
    done = cynic("--diff", base, "build/proj", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"build/proj/a.py:{HOLE_LINE}:12: shell-injection" in done.stdout


# Line texts: the judge's own numbering

#: A JavaScript eval suppressed with a comment; line 1's comment holds a lone carriage return.
JS_NOSEC = (
    "const a = 1; // note{cr}more\nfunction f(x) {{\n  return eval(x); // nosec\n}}\nmodule.exports = f;\n"
)


def test_sarif_a_lone_carriage_return_in_javascript_does_not_shift_the_line_texts(tmp_path):
    """tree-sitter (and so the judge) counts lines of JavaScript at \\n only; the line texts split at
    a lone \\r too, so the suppressed eval got the text of another line: no justification, and a
    fingerprint that changed with a character in a comment above."""
    (tmp_path / "app.js").write_bytes(JS_NOSEC.format(cr=" ").encode())
    (before,) = valid_sarif(cynic("--format", "sarif", "app.js", cwd=tmp_path))["runs"][0]["results"]
    (tmp_path / "app.js").write_bytes(JS_NOSEC.format(cr="\r").encode())
    (after,) = valid_sarif(cynic("--format", "sarif", "app.js", cwd=tmp_path))["runs"][0]["results"]
    assert after["locations"] == before["locations"]  # the judge put it on the same line
    assert after["suppressions"][0]["justification"] == "// nosec"
    assert after["partialFingerprints"] == before["partialFingerprints"]


# --server: 200s that pass as judgments and crash the report

_FINDING = {"rule": "shell-injection", "message": "m", "kind": "security", "line": 3}


@pytest.mark.parametrize(
    "finding, args",
    [
        ({**_FINDING, "column": "5"}, ()),
        ({**_FINDING, "end_line": "5"}, ("--format", "sarif")),
        ({**_FINDING, "end_line": "5"}, ("--diff", "HEAD")),
        ({**_FINDING, "source_line": [1]}, ("--diff", "HEAD")),
        ({**_FINDING, "suppressed": True}, ("--format", "sarif")),
    ],
    ids=["column-str-text", "end-line-str-sarif", "end-line-str-diff", "source-line-list-diff",
         "suppressed-bool-sarif"],
)  # fmt: skip
def test_server_a_200_whose_findings_are_malformed_is_that_files_error(repo, fake_node, finding, args):
    repo.write("app.py", "x = 1\n")
    repo.commit("before")
    repo.write("app.py", HOLE)
    url = fake_node(200, json.dumps({**JUDGMENT, "findings": [finding]}).encode())
    done = run_cynic("--server", url, *args, "app.py", cwd=repo.path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3 and "app.py" in done.stderr


def test_server_a_message_with_a_lone_surrogate_is_printed_not_a_traceback(tmp_path, fake_node):
    """JSON may escape a lone surrogate (\\ud800), which no UTF-8 output can encode."""
    (tmp_path / "app.py").write_text(HOLE)
    url = fake_node(200, json.dumps({**JUDGMENT, "findings": [{**_FINDING, "message": "a\ud800b"}]}).encode())
    done = run_cynic("--server", url, "app.py", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1 and "app.py:3:1: shell-injection a\\ud800b" in done.stdout


@pytest.mark.parametrize(
    "finding", [{**_FINDING, "line": -4}, {**_FINDING, "line": True}, {**_FINDING, "column": -2}]
)
def test_server_sarif_of_a_finding_with_an_impossible_line_is_not_invalid(tmp_path, fake_node, finding):
    (tmp_path / "app.py").write_text(HOLE)
    url = fake_node(200, json.dumps({**JUDGMENT, "findings": [finding]}).encode())
    done = run_cynic("--format", "sarif", "--server", url, "app.py", cwd=tmp_path)
    valid_sarif(done)  # a region's startLine and startColumn are at least 1 (the schema)
    assert done.returncode == 3


def test_server_a_nan_in_the_answer_does_not_make_the_json_output_invalid(tmp_path, fake_node):
    """Python's json reads NaN, which is not JSON: the report carried it on, invalid."""
    (tmp_path / "app.py").write_text(HOLE)
    url = fake_node(200, b'{"verdict": "BARK", "q_score": NaN, "judgment_id": "j-1", "findings": []}')
    done = run_cynic("--format", "json", "--server", url, "app.py", cwd=tmp_path)

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    json.loads(done.stdout, parse_constant=refuse)
    assert done.returncode == 3


def test_server_an_error_answer_cut_short_is_that_files_error_not_a_traceback(tmp_path):
    """A 500 whose body ends before its Content-Length: reading it raised IncompleteRead, uncaught."""

    def answer(conn):
        with conn:
            if request_head(conn).startswith(b"GET"):
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            else:
                conn.sendall(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                    b'Content-Length: 100\r\nConnection: close\r\n\r\n{"err'
                )

    (tmp_path / "app.py").write_text(HOLE)
    with raw_node(answer) as url:
        done = run_cynic("--server", url, "app.py", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3 and "app.py" in done.stderr


# Text output: what the judged files say must not drive the terminal


def test_text_an_escape_sequence_in_the_judged_file_does_not_reach_the_terminal(tmp_path):
    """A finding's message quotes the file (the cipher named): a file could recolour, move or erase
    what the terminal shows."""
    (tmp_path / "app.js").write_bytes(
        b'const crypto = require("crypto");\n'
        b'const c = crypto.createCipheriv("des-ecb\x1b[32m all clear", key, iv);\n'
        b"module.exports = c;\n"
    )
    out = judge_on_a_terminal("app.js", cwd=tmp_path)
    assert b"weak-cipher" in out, out
    assert b"\x1b[32m" not in out, out


def test_text_a_newline_in_a_file_name_does_not_split_a_finding_line(tmp_path):
    """path:line:col: rule message, one finding a line, is what problem matchers read: a name with
    a newline made 'lines.py:2:1: shell-injection' a finding of a file that does not exist."""
    (tmp_path / "two\nlines.py").write_text("import os\nos.system(input())\n")
    done = cynic(".", cwd=tmp_path)
    assert done.returncode == 1
    (line,) = [line for line in done.stdout.splitlines() if "shell-injection" in line]
    assert line.startswith("two"), done.stdout


# --jobs

_judge_file = run_module.judge_file


def _dies_on_m3(path: str, level: str | None = None):
    """judge_file, but the process judging m3.py is killed (a module's function: pickled by name)."""
    if os.path.basename(path) == "m3.py":
        os.kill(os.getpid(), signal.SIGKILL)
    return _judge_file(path, level)


def test_jobs_a_worker_process_that_dies_is_that_files_error_and_the_others_are_judged(tmp_path, monkeypatch):
    """A process of the pool killed (out of memory, a crash in a C parser) broke the pool: a
    traceback and exit 1, as if a file had failed the gate, and no file's report."""
    from cynic_app.review import run
    from cynic_app.review.command import judge

    for n in range(run.PARALLEL_FROM_FILES + 2):
        (tmp_path / f"m{n}.py").write_text(f"x = {n}\n")
    monkeypatch.setattr(run, "judge_file", _dies_on_m3)  # the workers are forked: they inherit it
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(judge, ["--jobs", "2", "--format", "json", "."])
    assert result.exit_code == 3, (result.exception, result.output)
    report = json.loads(result.stdout)
    assert report["errors"] == ["m3.py"]
    assert len([f for f in report["files"] if f.get("verdict")]) == run.PARALLEL_FROM_FILES + 1
