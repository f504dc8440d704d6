"""tests/support/writer_probe.py measures what it says: in "writer" mode a request's record is
stored by the writer process through the real write path (its journal, PostgreSQL,
guidance.json), and in "sleep" mode nothing is stored at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest

from cynic_app.service import Service
from tests.support import writer_probe
from tests.support.harness import ROOT

BODY = {"reality": "CODE", "analysis": "QUALITY", "content": "def hello(): pass\n", "context": "probe"}


@pytest.fixture
def probe_mode(monkeypatch):
    """Install a probe mode in this process; Service._persist is restored afterwards."""
    monkeypatch.setattr(Service, "_persist", Service._persist)

    def install(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        writer_probe.install()

    return install


@pytest.fixture
def writer(app, config, reachable_dir):
    """The probe's writer process for the app's node (the app opened and migrated it)."""
    path = reachable_dir / "writer.sock"
    env = {
        **os.environ,
        "CYNIC_HOME": str(config.home),
        "CYNIC_DATABASE_URL": config.database_url,
        "CYNIC_NODE": config.node,
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.writer_probe", "--serve", str(path), "--gather", "0"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "writer ready"
        yield path, process.pid
    finally:
        process.kill()
        process.wait()


def _stored(database_url: str, judgment_id: str) -> tuple | None:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT journal, journal_seq FROM judgments WHERE judgment_id = %s", (judgment_id,)
        ).fetchone()


def test_in_writer_mode_the_writer_process_journals_and_stores_the_record(client, config, writer, probe_mode):
    path, writer_pid = writer
    probe_mode(**{writer_probe.MODE: "writer", writer_probe.SOCKET: str(path)})
    response = client.post("/judge", json=BODY)
    assert response.status_code == 200, response.get_json()
    judgment_id = response.get_json()["judgment_id"]
    journal, seq = _stored(config.database_url, judgment_id)
    assert f"-{writer_pid}-" in journal  # the writer's journal, not this process's
    segments = sorted((config.journal_dir / journal).iterdir())
    assert any(judgment_id.encode() in segment.read_bytes() for segment in segments)
    guidance = json.loads((config.home / "guidance.json").read_text())
    named = (guidance["judgment_id"], guidance["journal"], guidance["journal_seq"])
    assert named == (judgment_id, journal, seq)


def test_in_sleep_mode_nothing_is_stored(client, config, probe_mode):
    probe_mode(**{writer_probe.MODE: "sleep", writer_probe.SLEEP_S: "0.001"})
    response = client.post("/judge", json=BODY)
    assert response.status_code == 200
    assert _stored(config.database_url, response.get_json()["judgment_id"]) is None
    assert not (config.home / "guidance.json").exists()
