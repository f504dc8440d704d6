"""Checkpoint and prune: disk use and start-up time stay bounded however long a node runs."""

import uuid

import psycopg
import pytest

from cynic_app import create_app
from cynic_app.durability.checkpoint import load_from_checkpoint
from cynic_app.durability.fsio import FS
from cynic_app.durability.journal import JournalCorrupt, JournalWriter
from cynic_app.durability.journal.segment import list_segments
from cynic_app.judgment import Cell, judge
from cynic_app.startup import recover


class NoSyncFS(FS):
    """Builds big test journals quickly; durability is not what these tests are about."""

    def fsync(self, fd):
        pass

    def fsync_dir(self, directory):
        pass


def journal(home, n, *, segment_bytes=64 * 1024):
    writer = JournalWriter(home / "journal", segment_bytes=segment_bytes, fs=NoSyncFS())
    j = judge(Cell.create(content="x = 1")).to_dict()
    for _ in range(n):
        jid = str(uuid.uuid4())
        writer.append(
            "judgment", jid, {"judgment": {**j, "judgment_id": jid}, "created_at": "2026-11-25T00:00:00Z"}
        )
    writer.close()


def test_the_running_service_removes_settled_segments(config, database_url):
    app = create_app(config.with_overrides(segment_bytes=8192))
    client = app.test_client()
    try:
        for i in range(120):
            assert client.post("/judge", json={"content": f"value_{i} = {i}"}).status_code == 200
        segments = list_segments(config.journal_dir)
        assert len(segments) <= 3, [p.name for _, p in segments]
        _, seq = load_from_checkpoint(config.home)
        assert seq >= segments[0][0] - 1 > 0
    finally:
        app.extensions["cynic"].close()
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM judgments").fetchone()[0] == 120


def test_start_up_does_not_rescan_settled_history(config):
    config.home.mkdir(parents=True)
    journal(config.home, 5000)
    first = recover(config)
    assert first.applied == 5000
    assert len(list_segments(config.journal_dir)) == 1  # only the tail is kept
    journal(config.home, 10)
    second = recover(config)
    assert second.applied == 10
    assert second.scanned < 200, second.scanned  # the tail's records, not the 5,000 before them


def test_an_emptied_journal_behind_a_checkpoint_refuses_to_start(config):
    config.home.mkdir(parents=True)
    journal(config.home, 10)
    recover(config)
    for _, path in list_segments(config.journal_dir):
        path.unlink()
    with pytest.raises(JournalCorrupt, match="checkpoint vouches for seq 10"):
        recover(config)
