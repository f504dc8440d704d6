"""scripts/bench's instruction counts (tests/support/instructions.py): every scenario still runs
against the service as it is (a step renamed fails here, not in a bench run), and the table
says what the counts mean."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support import instructions
from tests.support.harness import ROOT

BODY = {"reality": "CODE", "analysis": "QUALITY", "content": "def hello(): pass\n", "context": "bench"}


def child(scenario: str, calls: int, env: dict, body_file) -> subprocess.CompletedProcess:
    command = [sys.executable, instructions.__file__, "--child", scenario, str(body_file), str(calls)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_every_scenario_runs_against_a_primed_database(tmp_path, database_url):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CYNIC_DATABASE_URL": database_url}
    body_file = tmp_path / "body.json"
    body_file.write_text(json.dumps(BODY))
    primed = child("prime", 3, {**env, "CYNIC_HOME": str(tmp_path / "prime")}, body_file)
    assert primed.returncode == 0, primed.stderr
    for scenario in instructions.SCENARIOS:
        done = child(scenario, 1, {**env, "CYNIC_HOME": str(tmp_path / scenario)}, body_file)
        assert done.returncode == 0, (scenario, done.stderr[-3000:])


def test_the_request_without_judge_refuses_to_measure_the_real_judge(tmp_path, database_url):
    """Were Service.judge to call judge() by another name, the scenario would count the judge
    it claims to leave out: it stops instead."""
    env = {**os.environ, "CYNIC_DATABASE_URL": database_url, "CYNIC_HOME": str(tmp_path / "home")}
    body_file = tmp_path / "body.json"
    body_file.write_text(json.dumps(BODY))
    script = (
        "import runpy, sys\n"
        "import cynic_app.service as s\n"
        "from cynic_app.judgment import engine\n"
        "original = s.Service.judge\n"
        "def judge_by_another_name(self, *args, **kwargs):\n"
        "    replaced, s.judge = s.judge, engine.judge\n"
        "    try:\n"
        "        return original(self, *args, **kwargs)\n"
        "    finally:\n"
        "        s.judge = replaced\n"
        "s.Service.judge = judge_by_another_name\n"
        f"sys.argv = ['instructions', '--child', 'request_without_judge', {str(body_file)!r}, '1']\n"
        f"runpy.run_path({instructions.__file__!r}, run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "judge() was not replaced" in done.stderr


def test_the_table_gives_ratios_to_the_trivial_app_and_after_over_before():
    counts = {"trivial": 500_000, "request_without_judge": 1_200_000, "judge": 1_400_000}
    counts["request"] = 2_500_000
    faster = {**counts, "request": 2_250_000}
    text = instructions.table({"before": {"tiny": counts}, "after": {"tiny": faster}})
    assert "| the service's dry run, whole, before | 2,500k (5.00 × trivial) |" in text
    assert "| the service's dry run, whole, after | 2,250k (4.50 × trivial) |" in text
    assert "| the service's dry run, whole, after / before | -10.0% |" in text
    single = instructions.table({"after": {"tiny": counts}})
    assert "| judge() alone | 1,400k |" in single


@pytest.mark.parametrize("size", list(instructions.CALLS))
def test_each_size_measures_more_calls_in_its_long_run(size):
    short, long = instructions.CALLS[size]
    assert 0 < short < long
