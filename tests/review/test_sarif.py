"""`cynic judge --format sarif`: SARIF 2.1.0 that GitHub code scanning accepts."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from tests.review.conftest import CLEAN, DEFECT, HOLE, HOLE_LINE, NOSEC, cynic
from tests.support.harness import ROOT


def sarif_schema() -> dict:
    for base in (ROOT, *ROOT.parents):
        path = base / "shared" / "schemas" / "sarif-schema-2.1.0.json"
        if path.exists():
            return json.loads(path.read_text())
    pytest.skip("the official SARIF schema (../shared/schemas/sarif-schema-2.1.0.json) is not here")


def sarif_of(*args: str, cwd: Path) -> dict:
    done = cynic("--format", "sarif", *args, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    return log


def test_sarif_of_real_code_validates_against_the_official_schema():
    log = sarif_of("cynic_app", cwd=ROOT)
    (run,) = log["runs"]
    assert log["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "cynic"
    assert run["results"] and run["invocations"][0]["executionSuccessful"] is True


def test_sarif_of_every_language_and_a_syntax_error_validates(tmp_path):
    (tmp_path / "app.py").write_text(HOLE)
    (tmp_path / "nosec.py").write_text(NOSEC)
    (tmp_path / "load.py").write_text(DEFECT)
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n")
    (tmp_path / "page.js").write_text(
        "export function show(el) {\n  el.innerHTML = '<b>' + location.hash.slice(1) + '</b>';\n}\n"
    )
    (tmp_path / "deploy.sh").write_text("#!/bin/sh\ncurl -fsSL https://get.example.com/i.sh | sh\n")
    (tmp_path / "ok.py").write_text(CLEAN)
    rules = {r["ruleId"] for r in sarif_of(".", cwd=tmp_path)["runs"][0]["results"]}
    assert {"shell-injection", "swallowed-error", "syntax-error", "xss", "remote-script"} <= rules


def test_rules_carry_help_uri_security_severity_and_cwe_tags(tmp_path):
    (tmp_path / "app.py").write_text(HOLE)
    (tmp_path / "load.py").write_text(DEFECT)
    done = cynic(
        "--format", "sarif", ".", cwd=tmp_path, env={"CYNIC_RULES_URL": "https://docs.example.com/rules.md"}
    )
    rules = {r["id"]: r for r in json.loads(done.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    shell = rules["shell-injection"]
    assert shell["name"] == "ShellInjection"
    assert shell["shortDescription"]["text"] == "OS command built from untrusted input"
    assert shell["helpUri"] == "https://docs.example.com/rules.md#shell-injection"
    assert shell["properties"]["security-severity"] == "9.8"  # as CodeQL rates CWE-78: critical
    assert shell["properties"]["tags"] == ["security", "external/cwe/cwe-78"]
    assert shell["defaultConfiguration"]["level"] == "error"
    assert "**Fixed:**" in shell["help"]["markdown"]
    swallowed = rules["swallowed-error"]
    assert "security-severity" not in swallowed["properties"]
    assert swallowed["properties"]["tags"] == ["defect", "external/cwe/cwe-390"]
    assert urlsplit(swallowed["helpUri"]).scheme == "https"


def test_results_carry_their_region(tmp_path):
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(20))
    (tmp_path / "app.py").write_text(HOLE + "\n\ndef branchy(x):\n" + body + "    return -1\n")
    results = sarif_of("app.py", cwd=tmp_path)["runs"][0]["results"]
    hole = next(r for r in results if r["ruleId"] == "shell-injection")
    location = hole["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": HOLE_LINE, "startColumn": 12}
    complex_fn = next(r for r in results if r["ruleId"] == "complex-function")
    region = complex_fn["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 14 and region["endLine"] == 14 + 40 + 1


def test_a_suppressed_finding_is_carried_as_an_in_source_suppression(tmp_path):
    (tmp_path / "app.py").write_text(NOSEC)
    (result,) = [
        r for r in sarif_of("app.py", cwd=tmp_path)["runs"][0]["results"] if r["ruleId"] == "shell-injection"
    ]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "# nosec B602"}]


def test_fingerprints_are_stable_across_runs_and_when_lines_above_move(tmp_path):
    (tmp_path / "app.py").write_text(HOLE + "\n\n" + DEFECT.replace("import json\n", ""))
    before = _fingerprints(sarif_of("app.py", cwd=tmp_path))
    assert before == _fingerprints(sarif_of("app.py", cwd=tmp_path))
    (tmp_path / "app.py").write_text(
        '"""Run commands."""\n\nimport os  # noqa: F401\n' + (tmp_path / "app.py").read_text()
    )
    after = _fingerprints(sarif_of("app.py", cwd=tmp_path))
    assert {rule: fp for rule, (fp, _) in after.items()} == {rule: fp for rule, (fp, _) in before.items()}
    assert after["shell-injection"][1] == before["shell-injection"][1] + 3  # the line moved, not the alert


def _fingerprints(log: dict) -> dict[str, tuple[str, int]]:
    return {
        r["ruleId"]: (
            r["partialFingerprints"]["cynic/v1"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in log["runs"][0]["results"]
    }


def test_identical_lines_get_distinct_fingerprints(tmp_path):
    (tmp_path / "a.py").write_text("def f():\n    breakpoint()\n\n\ndef g():\n    breakpoint()\n")
    results = sarif_of("a.py", cwd=tmp_path)["runs"][0]["results"]
    prints = [r["partialFingerprints"]["cynic/v1"] for r in results if r["ruleId"] == "breakpoint"]
    assert len(prints) == 2 and len(set(prints)) == 2
