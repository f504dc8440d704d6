"""`cynic judge` against what a demanding reviewer throws at it: each test here reproduced a failure
of the documented contract (exit codes, lines, SARIF, --diff, --server) before its fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest

from cynic_app.review.run import FILE_JUDGED_CHARS
from tests.review.conftest import HOLE, HOLE_LINE, NOSEC, Node, Repo, cynic, judged_json, raw_node
from tests.review.test_sarif import sarif_schema

#: A call black wrapped over lines: the change that makes it a hole is on a continuation line.
WRAPPED = """import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.post("/run")
def run():
    done = subprocess.run(
        request.form["cmd"],
        shell=False,
    )
    return {"status": done.returncode}
"""

#: Over the judge's 100,000 characters (engine.JUDGED_CHARS) of clean Python.
LONG_CLEAN = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(4000))


def run_cynic(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """``cynic judge ARGS…`` with a short timeout (conftest.cynic's is 300 s, and fixed)."""
    return subprocess.run(
        [sys.executable, "-m", "cynic_app.cli", "judge", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": ""},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def valid_sarif(done: subprocess.CompletedProcess) -> dict:
    assert "Traceback" not in done.stderr, done.stderr
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    return log


def uris(log: dict) -> list[str]:
    return [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
    ]


# --diff


def test_diff_a_change_on_a_continuation_line_of_a_wrapped_call_that_makes_it_a_hole_gates(repo):
    repo.write("app.py", WRAPPED)
    base = repo.commit("a wrapped call, shell=False")
    repo.write("app.py", WRAPPED.replace("shell=False", "shell=True"))  # line 12: inside the finding's span
    done = cynic("--diff", base, "--format", "json", cwd=repo.path)
    (entry,) = json.loads(done.stdout)["files"]
    assert [f["rule"] for f in entry["findings"]] == ["shell-injection"], entry
    assert done.returncode == 1


def test_diff_a_change_inside_a_long_function_does_not_report_its_length(repo):
    """The span above is a statement's: a function's length or complexity is on its def line only,
    or every edit of an old long function would report it again."""
    body = "".join(f"    total = total + {i}\n" for i in range(60))
    source = 'def add_all(total):\n    """Add."""\n' + body + "    return total\n"
    repo.write("calc.py", source)
    base = repo.commit("a long function")
    (whole,) = judged_json("calc.py", cwd=repo.path)["files"]
    assert "long-function" in [f["rule"] for f in whole["findings"]]
    repo.write("calc.py", source.replace("+ 30", "+ 31"))
    (entry,) = judged_json("--diff", base, cwd=repo.path)["files"]
    assert entry["findings"] == [], entry


def test_diff_a_change_past_a_nodes_judged_characters_is_read(repo):
    """A node reads the first engine.JUDGED_CHARS of a body; `cynic judge` reads a whole file."""
    repo.write("big.py", LONG_CLEAN)
    base = repo.commit("a long clean module")
    repo.write("big.py", LONG_CLEAN + HOLE)  # the new hole lies past what a node reads
    report = judged_json("--diff", base, cwd=repo.path)
    (entry,) = report["files"]
    assert "shell-injection" in [f["rule"] for f in entry["findings"]], entry
    assert "truncated" not in [f["rule"] for f in entry["findings"]], entry
    assert report["failed"] == ["big.py"]


def test_diff_a_change_past_the_judged_characters_is_not_silently_clean(repo):
    longer = LONG_CLEAN * (FILE_JUDGED_CHARS // len(LONG_CLEAN) + 1)
    repo.write("big.py", longer)
    base = repo.commit("a module longer than the judge reads")
    repo.write("big.py", longer + HOLE)  # the new hole lies past what the judge reads
    report = judged_json("--diff", base, cwd=repo.path)
    (entry,) = report["files"]
    assert "truncated" in [f["rule"] for f in entry["findings"]], entry  # say the change was not read
    assert run_cynic("--diff", base, "--fail-on", "WAG", cwd=repo.path).returncode == 1


@pytest.mark.parametrize("how", ["a -diff attribute", "binary at the base revision"])
def test_diff_a_changed_file_git_calls_binary_is_still_judged(repo, how):
    if how == "a -diff attribute":
        repo.write(".gitattributes", "app.py -diff\n")
        repo.write("app.py", "x = 1\n")
    else:
        (repo.path / "app.py").write_bytes(b'x = "\0"\n')
    base = repo.commit("before")
    repo.write("app.py", HOLE)
    done = cynic("--diff", base, cwd=repo.path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "app.py: BARK" in done.stdout


def test_diff_of_a_repository_in_a_subdirectory_of_the_current_directory(tmp_path):
    inner = Repo(tmp_path / "outer" / "inner")
    inner.write("a.py", "x = 1\n")
    base = inner.commit("before")
    inner.write("a.py", HOLE)
    done = cynic("--diff", base, "inner", cwd=tmp_path / "outer")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"inner/a.py:{HOLE_LINE}:12: shell-injection" in done.stdout


def test_diff_a_form_feed_in_a_changed_line_is_not_a_line_break_of_the_patch(repo):
    repo.write("app.py", "x = 1\n")
    base = repo.commit("before")
    (repo.path / "app.py").write_bytes(b'x = 1\nPAGE = "\x0c@@ page two"\n')
    done = cynic("--diff", base, cwd=repo.path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0 and "1 file judged" in done.stdout


# Reading files


def test_a_utf8_bom_is_not_a_syntax_error_and_keeps_the_findings_exact(tmp_path):
    (tmp_path / "app.py").write_text(HOLE, encoding="utf-8-sig")
    (entry,) = judged_json("app.py", cwd=tmp_path)["files"]
    assert [(f["rule"], f["line"], f["column"]) for f in entry["findings"]] == [
        ("shell-injection", HOLE_LINE, 12)
    ]


def test_a_form_feed_line_does_not_shift_the_text_of_the_lines_below(tmp_path):
    (tmp_path / "app.py").write_bytes(NOSEC.replace("import subprocess\n", "import subprocess\n\n").encode())
    (before,) = valid_sarif(cynic("--format", "sarif", "app.py", cwd=tmp_path))["runs"][0]["results"]
    (tmp_path / "app.py").write_bytes(
        NOSEC.replace("import subprocess\n", "import subprocess\n\x0c\n").encode()
    )
    (after,) = valid_sarif(cynic("--format", "sarif", "app.py", cwd=tmp_path))["runs"][0]["results"]
    assert after["suppressions"][0]["justification"] == "# nosec B602"
    assert after["partialFingerprints"] == before["partialFingerprints"]  # a line above moved, that is all


def test_a_fifo_named_on_the_command_line_is_an_error_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    done = run_cynic("pipe.py", cwd=tmp_path, timeout=30)
    assert done.returncode == 3 and "pipe.py" in done.stderr


# SARIF artifact URIs


def test_sarif_a_file_whose_name_starts_with_two_dots_is_relative(tmp_path):
    (tmp_path / "..hidden.py").write_text(HOLE)
    log = valid_sarif(cynic("--format", "sarif", ".", cwd=tmp_path))
    assert uris(log) == ["..hidden.py"]


def test_sarif_an_absolute_path_through_a_symlinked_working_directory_is_relative(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "app.py").write_text(HOLE)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    command = [sys.executable, "-m", "cynic_app.cli", "judge", "--format", "sarif"]
    done = subprocess.run(
        [*command, str(tmp_path / "link" / "app.py")],
        cwd=tmp_path / "link",
        env={**os.environ, "PWD": str(tmp_path / "link")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert uris(valid_sarif(done)) == ["app.py"]


def test_sarif_a_file_name_that_is_not_utf8_is_percent_encoded(tmp_path):
    with open(os.fsencode(tmp_path) + b"/bad\xff.py", "w") as f:
        f.write(HOLE)
    log = valid_sarif(cynic("--format", "sarif", ".", cwd=tmp_path))
    assert uris(log) == ["bad%FF.py"]


# --server


JUDGMENT = {"verdict": "BARK", "q_score": 20.0, "judgment_id": "j-1", "language": "python"}


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"<html><body>Welcome</body></html>", "text/html"),
        (b'{"q_score": 1}', "application/json"),
        (b"[1, 2]", "application/json"),
        (json.dumps({**JUDGMENT, "verdict": "MEOW", "findings": []}).encode(), "application/json"),
    ],
    ids=["html", "no-verdict", "a-list", "unknown-verdict"],
)
def test_server_a_200_that_is_not_a_judgment_is_that_files_error(tmp_path, fake_node, body, content_type):
    (tmp_path / "app.py").write_text(HOLE)
    done = run_cynic("--server", fake_node(200, body, content_type), "app.py", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3 and "app.py" in done.stderr


def test_server_sarif_of_a_rule_this_client_does_not_know(tmp_path, fake_node):
    (tmp_path / "app.py").write_text(HOLE)
    finding = {"rule": "brand-new-rule", "line": 3, "column": 1, "message": "something new", "cwe": 79,
               "confidence": 0.9, "kind": "security", "severity": 0.6, "dog": "GUARDIAN"}  # fmt: skip
    url = fake_node(200, json.dumps({**JUDGMENT, "findings": [finding]}).encode())
    log = valid_sarif(run_cynic("--format", "sarif", "--server", url, "app.py", cwd=tmp_path))
    (rule,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "brand-new-rule"
    assert "external/cwe/cwe-79" in rule["properties"]["tags"]


def test_server_a_malformed_url_is_an_honest_error_not_a_traceback(tmp_path):
    (tmp_path / "app.py").write_text(HOLE)
    done = run_cynic("--server", "http://127.0.0.1:9/a path", "app.py", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (2, 3)


def test_server_a_port_that_does_not_speak_http_is_unreachable_not_a_traceback(tmp_path):
    (tmp_path / "app.py").write_text(HOLE)

    def answer_like_ssh(conn):
        with conn:
            conn.recv(65536)
            conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

    with raw_node(answer_like_ssh) as url:
        done = run_cynic("--server", url, "app.py", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3 and "cannot reach the node" in done.stderr


def test_server_a_node_that_never_answers_is_given_up_on_after_one_timeout(tmp_path, monkeypatch):
    """A node answers within seconds when it is well (its budget is about 2 s): one that lets a
    request time out is hung, and is neither asked again nor asked for the other files. It used
    to get 3 tries of 60 s per file, 4 files at a time: 45 s a file, over an hour for 100 files."""
    from cynic_app.review import remote

    posts, release = [], threading.Event()

    class Hung(Node):
        def do_POST(self):  # noqa: N802
            posts.append(self.path)
            release.wait(30)  # never answers while the client waits

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hung)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(remote, "TIMEOUT_S", 0.5)
    paths = []
    for n in range(2 * remote.CONCURRENT_REQUESTS + 1):
        (tmp_path / f"m{n}.py").write_text(f"x = {n}\n")
        paths.append(str(tmp_path / f"m{n}.py"))
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        reports = remote.judge_files_remote(paths, server=url, store=False)
    finally:
        release.set()
        server.shutdown()
        server.server_close()
    assert all(r.error for r in reports), reports
    assert len(posts) <= remote.CONCURRENT_REQUESTS, posts  # the ones already in flight, once each
    assert "did not answer within 0.5 s" in reports[0].error
