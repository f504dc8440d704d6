"""`cynic judge` against the fourth adversarial review's reproductions (2026-12-07): a change that
only deletes lines, tracked files an ignore pattern matches, files in other encodings than UTF-8,
files longer than a node's judged part, fingerprints that moved with the run's mode, and the gate
GitHub applies to a security alert."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from cynic_app.judgment import Cell, judge
from cynic_app.review.sarif import sarif
from tests.review.conftest import CLEAN, HOLE, HOLE_LINE, cynic, judged_json
from tests.support.harness import ROOT

SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

#: A view whose one sanitiser, on its own line, stands between the request and the shell.
QUOTED = """import os
import shlex

from flask import Flask, request

app = Flask(__name__)


@app.get("/ls")
def listing():
    name = request.args["name"]
    name = shlex.quote(name)
    os.system("ls " + name)
    return "ok"
"""
#: A call made safe by an argument on a line of its own.
SAFE_LOAD = """import yaml


def load(path):
    with open(path) as f:
        return yaml.load(
            f,
            Loader=yaml.SafeLoader,
        )
"""


def findings(entry: dict) -> list[tuple[str, int]]:
    return [(f["rule"], f["line"]) for f in entry["findings"] if not f.get("suppressed")]


# -- --diff: what a change did, not only the lines it added -----------------------------------


def diffed(repo, name: str, before: str, after: str) -> tuple[dict, dict, str]:
    """name committed as before, changed to after: (--diff's report, its one file's entry, REV)."""
    repo.write(name, before)
    base = repo.commit("before")
    repo.write(name, after)
    report = judged_json("--diff", base, cwd=repo.path)
    (entry,) = report["files"]
    return report, entry, base


def test_a_change_that_only_deletes_a_sanitiser_is_reported(repo):
    report, entry, base = diffed(repo, "svc.py", QUOTED, QUOTED.replace("    name = shlex.quote(name)\n", ""))
    assert ("shell-injection", 12) in findings(entry)
    assert report["failed"] == ["svc.py"]
    assert cynic("--diff", base, cwd=repo.path).returncode == 1


def test_a_deletion_inside_a_statement_is_reported(repo):
    unsafe = SAFE_LOAD.replace("            Loader=yaml.SafeLoader,\n", "")
    report, entry, _ = diffed(repo, "load.py", SAFE_LOAD, unsafe)
    assert [rule for rule, _ in findings(entry)] == ["unsafe-deserialisation"]
    assert report["failed"] == ["load.py"]


def test_deleting_lines_near_an_old_hole_reports_nothing_new(repo):
    repo.write("app.py", '"""Run commands."""\n# for the operator\n\n' + HOLE)
    base = repo.commit("an old hole")
    repo.write("app.py", HOLE)
    done = cynic("--diff", base, "--fail-on", "BARK", cwd=repo.path)
    assert done.returncode == 0, done.stdout
    assert "shell-injection" not in done.stdout


def test_a_second_copy_of_an_old_hole_is_reported_once(repo):
    repo.write("app.py", HOLE)
    base = repo.commit("an old hole")
    copy = HOLE.replace('"/run"', '"/again"').replace("def run", "def again").split("\n\n\n", 1)[1]
    repo.write("app.py", HOLE + "\n\n" + copy)
    (entry,) = judged_json("--diff", base, cwd=repo.path)["files"]
    assert findings(entry) == [("shell-injection", HOLE_LINE + 6)]


TWO_VIEWS = """import os
import shlex

from flask import Flask, request

app = Flask(__name__)


@app.route("/a")
def first():
    cmd = request.args["name"]
{first}    os.system("ls " + cmd)
    return "ok"


@app.route("/b")
def second():
    cmd = request.args["name"]
{second}    os.system("ls " + cmd)
    return "ok"
"""
QUOTE = "    cmd = shlex.quote(cmd)\n"


def test_a_sanitiser_moved_to_another_function_reports_the_hole_it_opened(repo):
    moved = TWO_VIEWS.format(first=QUOTE, second="")
    _, entry, _ = diffed(repo, "app.py", TWO_VIEWS.format(first="", second=QUOTE), moved)
    assert findings(entry) == [("shell-injection", 20)]  # second's sink, its line unchanged


def test_deleting_one_of_two_identical_sanitisers_reports_that_function_not_the_other(repo):
    both_open = TWO_VIEWS.format(first="", second="")
    _, entry, _ = diffed(repo, "app.py", TWO_VIEWS.format(first=QUOTE, second=""), both_open)
    assert findings(entry) == [("shell-injection", 12)]  # first's, not second's older one


def test_a_pure_move_is_not_a_new_file_when_a_path_narrows_the_diff(repo):
    repo.write("old/tasks.py", HOLE)
    base = repo.commit("an old hole")
    (repo.path / "new").mkdir()
    repo.git("mv", "old/tasks.py", "new/tasks.py")
    for args in ((), ("new",), ("new/tasks.py",)):
        done = cynic("--diff", base, *args, cwd=repo.path)
        assert done.returncode == 0, (args, done.stdout)
        assert "shell-injection" not in done.stdout


def test_symbolic_links_a_walk_skips_are_skipped_by_a_diff(repo):
    repo.write("pkg/mod.py", CLEAN)
    base = repo.commit()
    os.symlink("generated_settings.py", repo.path / "settings.py")  # dangling
    os.symlink("pkg", repo.path / "pkg_link.py")  # a directory
    done = cynic("--diff", base, cwd=repo.path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert cynic(".", cwd=repo.path).returncode == 0


def test_an_empty_revision_is_a_usage_error_that_names_it(repo):
    repo.write("app.py", CLEAN)
    repo.commit()
    done = cynic("--diff", "", cwd=repo.path)
    assert done.returncode == 2
    assert "revision" in done.stderr and "''" in done.stderr, done.stderr


def test_the_hooks_entry_takes_a_file_whose_name_begins_with_a_dash(tmp_path):
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (tmp_path / "-setup.py").write_text(HOLE)
    (tmp_path / "prices.py").write_text(CLEAN)
    words = hook["entry"].split()
    assert words[:2] == ["cynic", "judge"]
    done = cynic(*words[2:], "-setup.py", "prices.py", cwd=tmp_path)  # as pre-commit appends them
    assert done.returncode == 1 and "-setup.py:10:" in done.stdout, done.stdout + done.stderr


# -- fingerprints ------------------------------------------------------------------------------


def fingerprints(log: dict) -> dict[int, str]:
    return {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: r["partialFingerprints"]["cynic/v1"]
        for r in log["runs"][0]["results"]
    }


def test_a_finding_has_one_fingerprint_whatever_the_mode_and_the_spelling_of_its_path(repo):
    repo.write("m.py", HOLE)
    base = repo.commit("an old hole")
    copy = HOLE.replace('"/run"', '"/again"').replace("def run", "def again").split("\n\n\n", 1)[1]
    repo.write("m.py", HOLE + "\n\n" + copy)
    whole = json.loads(cynic("--format", "sarif", "m.py", cwd=repo.path).stdout)
    diffed = json.loads(cynic("--format", "sarif", "--diff", base, cwd=repo.path).stdout)
    absolute = json.loads(cynic("--format", "sarif", str(repo.path / "m.py"), cwd=repo.path).stdout)
    new_line = HOLE_LINE + 6
    assert set(fingerprints(diffed)) == {new_line}
    assert fingerprints(diffed)[new_line] == fingerprints(whole)[new_line] != fingerprints(whole)[HOLE_LINE]
    assert fingerprints(absolute) == fingerprints(whole)


# -- walking: tracked files are the repository's, whatever an ignore pattern says ---------------


def test_tracked_files_an_ignore_pattern_matches_are_judged_and_untracked_ones_are_not(repo):
    repo.write("lib/tasks.py", HOLE)
    repo.commit("tracked code")
    repo.write(".gitignore", "lib/\n")
    repo.write("lib/scratch.py", HOLE)  # untracked and ignored
    report = judged_json(".", cwd=repo.path)
    assert [f["path"] for f in report["files"]] == ["lib/tasks.py"]
    assert report["failed"] == ["lib/tasks.py"]
    below = judged_json("lib", cwd=repo.path)
    assert [f["path"] for f in below["files"]] == ["lib/tasks.py"]


# -- encodings ---------------------------------------------------------------------------------


def test_a_coding_cookie_is_read_as_python_reads_it(tmp_path):
    shift_jis = tmp_path / "label.py"
    shift_jis.write_bytes(
        '# -*- coding: shift_jis -*-\nimport os\n\nLABEL = "表"\nos.system(input())\n'.encode("shift_jis")
    )
    latin = tmp_path / "cafe.py"
    latin.write_bytes("# coding: latin-1\n\n\ndef café():\n    pass\n".encode("latin-1"))
    report = judged_json(str(shift_jis), str(latin), cwd=tmp_path)
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    assert "syntax-error" not in [rule for rule, _ in findings(by_name["label.py"])]
    (hole,) = [f for f in by_name["label.py"]["findings"] if f["line"] == 5]
    assert hole["rule"] == "shell-injection" and hole["column"] == 1
    (stub,) = [f for f in by_name["cafe.py"]["findings"] if f["rule"] == "stub"]
    assert "café()" in stub["message"]


# -- files longer than a node reads --------------------------------------------------------------


def big_table(entries: int) -> str:
    return "TABLE = {\n" + "".join(f'    "key{i}": {i},\n' for i in range(entries)) + "}\n"


def test_a_file_longer_than_a_nodes_judged_part_is_judged_whole(tmp_path):
    (tmp_path / "table.py").write_text(big_table(8000))  # about 165 KB, one statement
    head, view = HOLE.split("\n\n\n", 1)  # the imports and the app; the view
    helpers = "".join(f"def add_{i}(a: int) -> int:\n    return a + {i}\n\n\n" for i in range(6000))
    late = f"{head}\n\n\n{helpers}{view}"  # about 200 KB, the view last
    (tmp_path / "late.py").write_text(late)
    late_line = late.count("\n", 0, late.rindex("subprocess.run(")) + 1
    report = judged_json("--fail-on", "GROWL", "table.py", "late.py", cwd=tmp_path)
    by_name = {f["path"]: f for f in report["files"]}
    assert findings(by_name["table.py"]) == [] and by_name["table.py"]["verdict"] in ("HOWL", "WAG")
    assert ("shell-injection", late_line) in findings(by_name["late.py"])
    assert report["failed"] == ["late.py"]


def test_a_cut_inside_a_statement_is_not_a_syntax_error():
    judgment = judge(Cell.create(content=big_table(8000), context="file: table.py"))
    rules = [f["rule"] for f in judgment.findings]
    assert "syntax-error" not in rules and "truncated" in rules
    broken = big_table(8000).replace('"key7999": 7999,', '"key7999": 7999,,', 1)  # past the cut
    assert "syntax-error" not in [
        f["rule"] for f in judge(Cell.create(content=broken, context="file: t.py")).findings
    ]
    early = "x = )\n" + big_table(8000)  # in a statement before the one cut: a real error
    assert "syntax-error" in [
        f["rule"] for f in judge(Cell.create(content=early, context="file: t.py")).findings
    ]


# -- SARIF: how GitHub ranks an alert, and a run that reached nothing ---------------------------


def test_security_severity_ranks_injection_and_deserialisation_high_or_critical():
    from cynic_app.judgment.rules import RULES
    from cynic_app.judgment.vote import SECURITY
    from cynic_app.review.report import FileReport

    reports = [
        FileReport(
            "x.py",
            verdict="BARK",
            findings=[{"rule": rule, "line": 1, "kind": SECURITY, "message": rule}],
        )
        for rule, r in RULES.items()
        if r.kind == SECURITY
    ]
    rules = {r["id"]: r for r in sarif(reports)["runs"][0]["tool"]["driver"]["rules"]}
    severity = {rule: float(r["properties"]["security-severity"]) for rule, r in rules.items()}
    assert set(severity) == {rule for rule, r in RULES.items() if r.kind == SECURITY}
    for rule in ("shell-injection", "code-injection", "unsafe-deserialisation"):
        assert severity[rule] >= 9.0, rule  # critical (GitHub: 9.0 and over)
    for rule in ("sql-injection", "path-traversal", "hardcoded-secret", "ssrf", "xxe"):
        assert severity[rule] >= 7.0, rule  # high (7.0 to 8.9) or critical
    assert severity["xss"] < severity["sql-injection"]
    assert all(0.0 < s <= 10.0 for s in severity.values())


@pytest.mark.skipif(not SCHEMA.exists(), reason="the SARIF schema lies beside the project (../shared)")
def test_a_node_that_cannot_be_reached_still_gets_a_valid_sarif_log_and_json(tmp_path):
    (tmp_path / "app.py").write_text(CLEAN)
    for output in ("sarif", "json"):
        done = cynic("--format", output, "--server", "http://127.0.0.1:9", "app.py", cwd=tmp_path)
        assert done.returncode == 3
        log = json.loads(done.stdout)
        if output == "sarif":
            jsonschema.validate(log, json.loads(SCHEMA.read_text()))
            (invocation,) = log["runs"][0]["invocations"]
            assert invocation["executionSuccessful"] is False
            assert "127.0.0.1:9" in invocation["toolExecutionNotifications"][0]["message"]["text"]
        else:
            assert log["errors"] and "127.0.0.1:9" in json.dumps(log)
