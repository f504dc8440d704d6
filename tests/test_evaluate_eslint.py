"""`cynic evaluate` runs eslint-plugin-security beside the judge on JavaScript and TypeScript,
and says so when it is not installed instead of scoring it as zero."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cynic_app.evaluate import evaluate
from cynic_app.evaluate.eslint import ESLINT, ESLINT_CWE, ESLINT_DIR_VARIABLE, run_eslint
from cynic_app.evaluate.tools import TOOLS

ANNOTATED = Path(__file__).resolve().parent / "judgment" / "annotated"


def test_eslint_is_one_of_the_tools():
    assert ESLINT in TOOLS


@pytest.mark.parametrize("where", [None, "empty"])
def test_a_missing_eslint_is_reported_missing_and_the_judge_still_scored(where, monkeypatch, tmp_path):
    if where is None:
        monkeypatch.delenv(ESLINT_DIR_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(ESLINT_DIR_VARIABLE, str(tmp_path))
    result = evaluate(lines=[ANNOTATED], tools=["cynic", ESLINT], jobs=1)
    assert "npm install eslint@9 eslint-plugin-security" in result.missing[ESLINT]
    assert (f"lines:{ANNOTATED.name}", "cynic", "all") in result.lines
    assert not any(tool == ESLINT for _, tool, _ in result.lines)


def test_every_rule_of_the_plugin_has_a_cwe():
    assert all(rule.startswith("security/") and cwe > 0 for rule, cwe in ESLINT_CWE.items())
    assert len(ESLINT_CWE) == 15


@pytest.mark.skipif(
    not os.environ.get(ESLINT_DIR_VARIABLE),
    reason=f"eslint-plugin-security not installed ({ESLINT_DIR_VARIABLE})",
)
def test_eslint_findings_are_read_with_their_line_and_cwe():
    paths = sorted(ANNOTATED.glob("*.js"))
    results = run_eslint(paths)
    child = [
        f for f in results[ANNOTATED / "express_cmd.js"].findings if f.rule == "security/detect-child-process"
    ]
    assert child and all(f.cwe == 78 and f.security and f.line > 0 for f in child)
