"""The pre-commit hook (.pre-commit-hooks.yaml), installed by the real pre-commit from this
repository into a temporary project: it blocks a commit that adds a hole, lets a clean one through."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from cynic_app.evaluate.corpora import LANGUAGE_OF_EXTENSION
from tests.review.conftest import CLEAN, HOLE, Repo
from tests.support.harness import ROOT


def test_the_hook_reads_exactly_the_extensions_the_judge_reads():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "cynic-judge" and hook["language"] == "python"
    assert hook["entry"] == "cynic judge --fail-on BARK --"
    pattern = re.compile(hook["files"])
    for extension in LANGUAGE_OF_EXTENSION:
        assert pattern.search(f"src/module{extension}"), extension
    for other in ("README.md", "data.json", "module.pyc", "app.py.orig", "Makefile"):
        assert not pattern.search(other), other


def snapshot_of_this_repository(target) -> str:
    """This working tree as it is (committed or not) in a fresh repository; its commit id."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    repo = Repo(target)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return repo.commit("snapshot")


@pytest.mark.slow
def test_the_hook_blocks_a_commit_that_adds_a_hole_and_lets_a_clean_one_through(tmp_path):
    rev = snapshot_of_this_repository(tmp_path / "cynic")
    project = Repo(tmp_path / "project")
    project.write(
        ".pre-commit-config.yaml",
        f"repos:\n  - repo: {tmp_path / 'cynic'}\n    rev: {rev}\n    hooks:\n      - id: cynic-judge\n",
    )
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=project.path, env=env, check=True)

    def commit(message: str) -> subprocess.CompletedProcess:
        project.git("add", "-A")
        return subprocess.run(
            ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-m", message],
            cwd=project.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,  # the first run installs the hook's environment from PyPI
        )

    project.write("prices.py", CLEAN)
    clean = commit("clean code")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"cynic judge\.+Passed", clean.stderr + clean.stdout)  # the hook writes to stderr

    project.write("app.py", HOLE)
    hole = commit("a shell injection")
    assert hole.returncode == 1, hole.stdout + hole.stderr
    said = hole.stderr + hole.stdout
    assert re.search(r"cynic judge\.+Failed", said)
    assert "app.py:10:12: shell-injection request.form reaches subprocess.run()" in said
    assert project.git("log", "--format=%s").split("\n")[0] == "clean code"
