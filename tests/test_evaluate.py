"""`cynic evaluate` (cynic_app/evaluate/): the split, and each kind of corpus scored from the judge's
real findings on small corpora written here (the OWASP layout is imitated, its code is not)."""

from __future__ import annotations

import hashlib

from cynic_app.evaluate import ALL, evaluate
from cynic_app.evaluate.report import as_json, markdown
from cynic_app.evaluate.split import HELD_OUT, TUNING, half_of

HOLE = """import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    os.system("ls " + request.args["dir"])  # ruleid: shell-injection
    return "ok"
"""
SAFE = """import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    subprocess.run(["ls", "--", request.args["dir"]], check=True)  # ok: shell-injection
    return "ok"
"""
#: A sink reached by a value of no known origin: a look (0.3), which no tool should be sure of.
LOOK = '''"""Run a command the caller built."""

import os


def _run(command):
    return os.system(command)
'''


def test_the_half_is_a_fixed_hash_of_the_name_only():
    assert half_of("app.py") == (TUNING if hashlib.sha256(b"app.py").digest()[0] % 2 == 0 else HELD_OUT)
    assert {half_of(f"case{i}.py") for i in range(20)} == {TUNING, HELD_OUT}


def test_an_owasp_style_corpus_scores_true_minus_false_positive_rates(tmp_path):
    code = tmp_path / "testcode"
    code.mkdir()
    (code / "Case001.py").write_text(HOLE)
    (code / "Case002.py").write_text(SAFE)
    csv = tmp_path / "expectedresults.csv"
    csv.write_text(
        "# test name, category, real vulnerability, cwe\nCase001,cmdi,true,78\nCase002,cmdi,false,78\n"
    )
    ev = evaluate(owasp=[csv])
    scored = ev.owasp[("owasp:" + tmp_path.name, "cynic", ALL)]
    assert scored.per_category["cmdi"] == 1.0  # the hole found, the safe case not flagged


def test_labelled_lines_count_holes_found_and_safe_lines_flagged(tmp_path):
    (tmp_path / "hole.py").write_text(HOLE)
    (tmp_path / "safe.py").write_text(SAFE)
    ev = evaluate(lines=[tmp_path])
    scored = ev.lines[("lines:" + tmp_path.name, "cynic", ALL)]
    assert (scored.holes_found, scored.holes, scored.safe_flagged, scored.safe) == (1, 1, 0, 1)


def test_clean_code_counts_any_security_finding_and_the_ones_the_tool_is_sure_of(tmp_path):
    (tmp_path / "look.py").write_text(LOOK)
    (tmp_path / "hole.py").write_text(HOLE)
    ev = evaluate(clean=[tmp_path])
    scored = ev.clean[("clean:" + tmp_path.name, "cynic", ALL)]
    assert (scored.files, scored.flagged, scored.flagged_sure) == (2, 2, 1)
    assert scored.verdicts["BARK"] == 1
    table = markdown(ev)
    assert "one it is sure of" in table and "| cynic | all | 2 | 2 (100%) | 1 (50%) |" in table
    assert as_json(ev)["clean"][f"clean:{tmp_path.name}|cynic|all"]["flagged_sure"] == 1
