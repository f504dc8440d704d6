"""Metrics of dead workers are folded into an aggregate; a damaged file never crashes the master."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from cynic_app import metrics
from tests.support.harness import ROOT


def test_a_file_left_short_by_a_killed_worker_is_dropped_not_fatal(tmp_path):
    """Review finding: a worker killed while creating its counter file left it empty, and folding
    it raised in the master's child_exit, which killed the master."""
    (tmp_path / "counter_4242.db").write_bytes(b"")
    (tmp_path / "histogram_4242.db").write_bytes(b"\x01\x00")
    metrics.fold_dead_process(tmp_path, 4242)
    assert not (tmp_path / "counter_4242.db").exists() and not (tmp_path / "histogram_4242.db").exists()


def test_the_gunicorn_config_changes_nothing_at_import(tmp_path):
    """prometheus_client picks its multiprocess mode once, when first imported: the master must
    not import it before on_starting sets the directory, and importing the config must not
    change the environment (the metrics directory is set by the hook, not by an import)."""
    probe = (
        "import os, sys; before = dict(os.environ); import cynic_app.gunicorn_conf; "
        "changed = set(os.environ.items()) ^ set(before.items()); "
        "print(sorted(changed), 'prometheus_client' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(CYNIC_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "[] False", result.stderr


def test_every_metric_is_defined_by_name_and_counted_somewhere():
    """Issue 23.8: metrics were made by a module __getattr__, so no linter could tell a misspelt
    or unused one. Every use names a definition, and every definition is used."""
    source = "\n".join(p.read_text() for p in Path(metrics.__file__).parent.rglob("*.py"))
    used = set(re.findall(r"\bmetrics\.(?!py\b)([a-z_]+)\b", source))  # not "metrics.py"
    defined = {name for name, value in vars(metrics).items() if isinstance(value, metrics._Metric)}
    assert used - set(vars(metrics)) == set()
    assert defined - used == set()
    assert not hasattr(metrics, "__getattr__")
