"""`cynic judge` against a third adversarial review, aimed at the second review's fixes (ff94c4f):
each test here reproduced a failure of the documented contract on ff94c4f."""

from __future__ import annotations

import json
import os
import threading

import jsonschema_rs
import pytest
from click.testing import CliRunner

from tests.review.conftest import HOLE, Repo, cynic, judge_on_a_terminal, judged_json, raw_node, request_head
from tests.review.test_review_cli_adversarial import JUDGMENT, run_cynic
from tests.review.test_sarif import sarif_schema

_FINDING = {"rule": "shell-injection", "message": "m", "kind": "security", "line": 3}

# Text output: what a node or a file name says must not drive the terminal, nor crash the output


def test_text_a_surrogate_escape_of_a_c1_byte_does_not_reach_the_terminal(tmp_path, fake_node):
    """escaped() kept \\udc80-\\udcff (a name's bytes that are not UTF-8): a node's message "\\udc9b[2J"
    went out as the byte 0x9b, the C1 control CSI, which a terminal reading 8-bit controls obeys
    (here: erase the screen)."""
    (tmp_path / "app.py").write_text(HOLE)
    answer = {**JUDGMENT, "findings": [{**_FINDING, "message": "a\udc9b2Jb"}]}
    url = fake_node(200, json.dumps(answer).encode())
    out = judge_on_a_terminal("--server", url, "app.py", cwd=tmp_path)
    assert b"shell-injection" in out, out
    assert b"\x9b" not in out, out


def test_text_a_file_name_that_is_not_utf8_is_no_traceback_on_a_strict_output(tmp_path):
    """Under a UTF-8 locale other than C.UTF-8 (en_US.UTF-8), or PYTHONIOENCODING=utf-8, stdout is
    strict: the surrogate escape escaped() keeps could not be encoded, a traceback instead of the
    report (exit 1 as if the gate had failed, the gate's own 1 then lost)."""
    with open(os.fsencode(tmp_path) + b"/bad\xff.py", "w") as f:
        f.write("import os\nos.system(input())\n")
    done = cynic(".", cwd=tmp_path, env={"PYTHONIOENCODING": "utf-8"})
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1 and ":2:1: shell-injection" in done.stdout


def test_text_show_links_of_a_rule_from_the_node_does_not_reach_the_terminal_raw(tmp_path, fake_node):
    """--show-links printed rule_url(rule) as it was: a node's rule id with an escape sequence
    reached the terminal, though the rule beside it was escaped."""
    (tmp_path / "app.py").write_text(HOLE)
    url = fake_node(200, json.dumps({**JUDGMENT, "findings": [{**_FINDING, "rule": "r\x1b[2Jx"}]}).encode())
    out = judge_on_a_terminal("--server", url, "--show-links", "app.py", cwd=tmp_path)
    assert b"docs/rules.md#" in out, out
    assert b"\x1b[2J" not in out, out


# SARIF: the schema's formats


@pytest.mark.parametrize("rule", ["a b/c", "a#b", "r\u00e8gle", "a%zz"])
def test_sarif_help_uri_of_a_rule_id_from_the_node_is_a_uri(tmp_path, fake_node, rule):
    """helpUri is "format": "uri" in the schema: a rule id with a space, a '#', a non-ASCII letter or
    a stray '%' made it not one (GitHub reads the link)."""
    (tmp_path / "app.py").write_text(HOLE)
    url = fake_node(200, json.dumps({**JUDGMENT, "findings": [{**_FINDING, "rule": rule}]}).encode())
    done = run_cynic("--format", "sarif", "--server", url, "app.py", cwd=tmp_path)
    log = json.loads(done.stdout)
    errors = jsonschema_rs.Draft4Validator(sarif_schema(), validate_formats=True).iter_errors(log)
    assert [str(e).splitlines()[0] for e in errors] == []
    assert log["runs"][0]["results"][0]["ruleId"] == rule


# --diff


def test_diff_a_file_named_explicitly_is_judged_whatever_its_name(repo):
    """A file named on the command line is judged whatever its name (a walk judges it: `cynic judge
    deploy` BARKs); with --diff it was dropped for its name (no extension): 0 files, exit 0."""
    repo.write("deploy", "#!/bin/sh\necho hi\n")
    base = repo.commit("before")
    repo.write("deploy", '#!/bin/sh\necho hi\ncurl "$1" | sh\n')
    assert cynic("deploy", cwd=repo.path).returncode == 1
    done = cynic("--diff", base, "deploy", cwd=repo.path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "deploy:3:" in done.stdout


def test_diff_a_submodule_named_like_a_source_file_is_not_an_unreadable_file(tmp_path):
    """git diff shows a submodule whose commit moved as one changed "file" (a gitlink): a submodule
    named reveal.js was taken for a JavaScript file, judged, and was an error (not a regular
    file): exit 3 for a change with nothing wrong. Said as skipped instead, never silently."""
    lib = Repo(tmp_path / "lib")
    lib.write("m.py", "x = 1\n")
    lib.commit("lib")
    top = Repo(tmp_path / "top")
    top.write("a.py", "x = 1\n")
    top.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib.path), "reveal.js")
    base = top.commit("base")
    sub = Repo.__new__(Repo)
    sub.path = top.path / "reveal.js"
    sub.write("m.py", "y = 2\n")
    sub.commit("moved")
    done = cynic("--diff", base, cwd=top.path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Skipped: 1 nested repository." in done.stdout


def test_diff_a_symbolic_link_made_a_file_is_judged(repo):
    """A symbolic link replaced by a file is a type change (git's T), which --diff-filter=ACMR left
    out: the new file's hole was not judged, exit 0 (a walk BARKs)."""
    repo.write("real.py", "x = 1\n")
    (repo.path / "app.py").symlink_to("real.py")
    base = repo.commit("before")
    (repo.path / "app.py").unlink()
    repo.write("app.py", HOLE)
    done = cynic("--diff", base, cwd=repo.path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "app.py:10:12: shell-injection" in done.stdout


# Interrupted


def _interrupted(path: str, level: str | None = None):
    raise KeyboardInterrupt


def test_an_interrupted_run_does_not_exit_as_if_the_gate_failed(tmp_path, monkeypatch):
    """Ctrl-C while judging: click's "Aborted!" and exit 1, the code that says a file's verdict
    failed --fail-on, though no verdict was read: an incomplete run (3)."""
    from cynic_app.review import run
    from cynic_app.review.command import judge

    (tmp_path / "app.py").write_text("x = 1\n")
    monkeypatch.setattr(run, "judge_file", _interrupted)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(judge, ["app.py"])
    assert result.exit_code == 3, (result.exit_code, result.output)


# --server: a node that answers, slowly, forever


def test_server_an_answer_trickled_past_the_timeout_is_a_hung_node(tmp_path, monkeypatch):
    """The timeout is per read: a node sending its answer a byte at a time, each within TIMEOUT_S,
    was waited for as long as it kept sending (then the request was retried, twice): an unbounded
    run, where README promises that a request unanswered after 60 s marks the node hung."""
    from cynic_app.review import remote

    stop = threading.Event()

    def trickle(conn):
        with conn:
            if request_head(conn).startswith(b"GET"):
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
                stop.wait(0.1)

    monkeypatch.setattr(remote, "TIMEOUT_S", 0.5)
    (tmp_path / "app.py").write_text("x = 1\n")
    with raw_node(trickle) as url:
        try:
            (report,) = remote.judge_files_remote([str(tmp_path / "app.py")], server=url, store=False)
        finally:
            stop.set()
    # Before, the 100 bytes of spaces ended after 10 s and were answered "not a judgment".
    assert "within 0.5 s" in report.error


# The judge's line numbers (the judge's, not this package's: judgment/source.py, dogs/)


def test_a_lone_carriage_return_does_not_let_a_nosec_below_a_hole_suppress_it(tmp_path):
    """Python ends a line at a lone \\r, and so numbers the tree; the judge reads a line's text (the
    suppression comment on it) by \\n alone: the hole on line 3 read line 4's '# nosec' and was
    suppressed, exit 0."""
    (tmp_path / "app.py").write_bytes(b"import os\rb = 2\nos.system(input())\n# nosec\n")
    report = judged_json("--fail-on", "BARK", "app.py", cwd=tmp_path)
    (finding,) = report["files"][0]["findings"]
    assert finding["line"] == 3 and not finding.get("suppressed"), finding
    assert report["failed"] == ["app.py"]


def test_a_lone_carriage_return_does_not_shift_a_text_finding_in_python(tmp_path):
    """The judge's text checks number lines at \\n alone, its tree at \\r too: in one Python file
    the TODO on line 3 was reported on line 2 (y = 2), below the shell injection numbered right."""
    (tmp_path / "app.py").write_bytes(b"x = 1\ry = 2\n# TODO: fix\nimport os\nos.system(input())\n")
    report = judged_json("app.py", cwd=tmp_path)
    lines = {f["rule"]: f["line"] for f in report["files"][0]["findings"]}
    assert lines == {"todo": 3, "shell-injection": 5}, lines


@pytest.mark.parametrize("name", ["app.js", "app.sh", "notes"])
@pytest.mark.parametrize("char", ["\x0c", "\x85", "\u2028"])
def test_a_line_separator_that_is_not_a_newline_does_not_shift_a_finding(tmp_path, name, char):
    """tree-sitter and the text checks number lines at \\n; deep-indentation (and long-lines) counted
    str.splitlines(), which also breaks at a form feed, U+2028…: the finding was reported on the
    line below its own ('}')."""
    comment = "#" if name.endswith(".sh") else "//"
    body = f"{comment} note{char}more\nf() {{\n" + " " * 26 + "g 1\n}\n"
    (tmp_path / name).write_text(body, encoding="utf-8")
    report = judged_json("--fail-on", "BARK", name, cwd=tmp_path)
    lines = [f["line"] for f in report["files"][0]["findings"] if f["rule"] == "deep-indentation"]
    assert lines == [3], report["files"][0]["findings"]
