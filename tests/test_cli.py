"""The cynic command: exit codes and one-line reasons (in-process through click's runner; the
entry points an operator starts — gunicorn, flask — as real processes)."""

import json
import os
import subprocess
import sys

from cynic_app.durability.journal import JournalWriter
from cynic_app.durability.journal.layout import list_journals, list_segments
from tests.support.harness import ROOT, Gunicorn


def corrupt_journal(home):
    (home / "journal").mkdir(parents=True)
    writer = JournalWriter(home / "journal")
    for i in range(3):
        writer.append("judgment", f"id-{i}", {"i": i})
    writer.close()
    ((_, path),) = list_segments(writer.directory)
    data = bytearray(path.read_bytes())
    offset = data.find(b"\n") + 1
    data[offset + 30] ^= 0xFF
    path.write_bytes(bytes(data))
    return path, offset


def test_verify_reports_corruption_with_file_and_offset(home, runner):
    path, offset = corrupt_journal(home)
    for args in (["replay", "--verify"], ["replay"], ["replay", "--dry-run"]):
        result = runner(*args)
        assert result.exit_code == 4, result.output
        assert f"{path} at byte {offset}" in result.stderr and "docs/operations.md" in result.stderr


def test_gunicorn_refuses_a_corrupt_journal_with_one_line(home, database_url):
    corrupt_journal(home)
    g = Gunicorn(home, database_url, workers=1)
    g.start(wait=False)
    assert g.process.wait(timeout=60) != 0
    assert "refusing to start: journal corrupt in" in g.log()


def test_unreachable_database_is_exit_3(runner):
    result = runner("replay", database_url="postgresql://postgres@127.0.0.1:1/none")
    assert result.exit_code == 3 and "database unreachable" in result.stderr


def test_migrate_then_replay_on_an_empty_home(runner):
    assert runner("migrate").exit_code == 0
    result = runner("replay")
    assert result.exit_code == 0 and "replay: 0 closed journals settled" in result.stdout


def test_stats_then_checkpoint_settles_closed_journals(home, runner):
    (home / "journal").mkdir(parents=True)
    writer = JournalWriter(home / "journal", segment_bytes=4096)
    for i in range(200):  # aborts are settled by definition
        writer.append("abort", f"x-{i}", {"ref_seq": 0}, resolved=True)
    writer.close()
    assert runner("migrate").exit_code == 0
    stats = runner("stats")
    assert stats.exit_code == 0
    data = json.loads(stats.stdout)
    (journal,) = data["journals"]
    assert (journal["name"], journal["state"], journal["last_seq"]) == (writer.name, "closed", 200)
    assert journal["segments"] == 1  # the writer deleted its settled closed segments itself
    assert data["schema_version"] >= 3
    result = runner("checkpoint")
    assert result.exit_code == 0 and "checkpoint: 1 closed journals settled" in result.stdout
    assert list_journals(home / "journal") == []


def test_the_same_commands_under_flask(home, database_url):
    env = {**os.environ, "CYNIC_HOME": str(home), "CYNIC_DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "cynic_app", "replay"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "replay: 0 closed journals settled" in result.stdout, result.stderr
