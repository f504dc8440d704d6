"""The short crash test is part of every test run: real SIGKILLs of gunicorn and PostgreSQL and a
full disk (as root), under churn: tiny segments, workers recycled every 60 requests, bursts."""

import subprocess
import sys

import pytest

from tests.support.harness import ROOT

pytestmark = pytest.mark.slow


def test_short_crashtest_finds_no_violation():
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.crashtest", "--rounds", "6", "--clients", "4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "0 violations" in result.stdout and "workers recycled" in result.stdout
