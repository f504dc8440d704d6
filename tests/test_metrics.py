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


def test_a_child_kept_by_the_request_hooks_counts_in_each_process_own_file(tmp_path):
    """observe.py keeps each series' metric child for the process's life. A process forked after
    its first request (as gunicorn forks workers from a master that loaded the app) must count
    in its own file, not in the parent's: prometheus_client moves a child to the files of the
    pid it runs in at every update."""
    script = (
        "import os, sys\n"
        "from flask import Flask\n"
        "from cynic_app.api import observe\n"
        "app = Flask('probe')\n"
        "observe.register(app)\n"
        "app.get('/ping')(lambda: 'pong')\n"
        "client = app.test_client()\n"
        "assert client.get('/ping').status_code == 200\n"  # the series' children are kept now
        "child = os.fork()\n"
        "if child == 0:\n"
        "    for _ in range(3):\n"
        "        client.get('/ping')\n"
        "    os._exit(0)\n"
        "os.waitpid(child, 0)\n"
        "client.get('/ping')\n"
        "print(os.getpid(), child)\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    parent, child = done.stdout.split()

    def requests_counted(pid: str) -> float:
        from prometheus_client.mmap_dict import MmapedDict

        values = MmapedDict(str(tmp_path / f"counter_{pid}.db"), read_mode=True).read_all_values()
        return sum(value for key, value, _ in values if '"cynic_http_requests_total"' in key)

    assert (requests_counted(parent), requests_counted(child)) == (2, 3)
