"""The archive: settled segments kept for the retention, so replay --from-start heals a restored
PostgreSQL; pruned by age and bytes, oldest first."""

from __future__ import annotations

import os
import time

import pytest

from cynic_app.durability.archive import NONE, Archive, Retention
from cynic_app.durability.journal import JournalWriter, scan
from cynic_app.durability.journal.layout import list_segments
from cynic_app.durability.journal.reader import records
from cynic_app.judgment import Cell, judge
from cynic_app.node.settle import apply_archive, settle_closed
from cynic_app.store import pool as store_pool
from cynic_app.store.migrations import migrate


def judgment_record(i: int) -> tuple[str, dict]:
    j = judge(Cell.create(content=f"value_{i} = {i}")).to_dict()
    return j["judgment_id"], {"judgment": j, "created_at": "2026-11-25T00:00:00+00:00"}


def write(home, n, archive, *, settle=True):
    (home / "journal").mkdir(parents=True, exist_ok=True)
    writer = JournalWriter(home / "journal", segment_bytes=4096, retire=archive.retire)
    ids = []
    for i in range(n):
        rid, data = judgment_record(i)
        seq = writer.append("judgment", rid, data).seq
        if settle:
            writer.resolve([seq])
        ids.append(rid)
    return writer, ids


def archived_ids(archive) -> list[str]:
    return [r.id for journal in archive.journals() for r in records(scan(journal, repair=False))]


def test_a_live_writer_moves_its_settled_segments_into_the_archive(home):
    archive = Archive(home, Retention(3600, 10**9))
    writer, ids = write(home, 30, archive)
    kept = list_segments(writer.directory)
    assert len(kept) == 1 and writer.retired >= 3
    (journal,) = archive.journals()
    assert journal.name == writer.name
    assert archived_ids(archive) + [r.id for r in records(scan(writer.directory))] == ids
    writer.close()


def test_with_no_retention_settled_segments_are_deleted(home):
    archive = Archive(home, NONE)
    writer, _ = write(home, 30, archive)
    assert writer.retired >= 3 and archive.journals() == []
    writer.close()


def test_pruning_drops_what_is_too_old_oldest_first_and_keeps_a_suffix(home):
    archive = Archive(home, Retention(3600, 10**9))
    writer, _ = write(home, 40, archive)
    writer.close()
    (journal,) = archive.journals()
    segments = list_segments(journal)
    now = time.time()
    for age, (_, path) in zip(range(len(segments), 0, -1), segments, strict=True):
        os.utime(path, (now - 3000 - age * 100, now - 3000 - age * 100))  # oldest is oldest
    removed = archive.prune(now=now, force=True)
    remaining = list_segments(journal)
    assert 0 < removed < len(segments) and remaining == segments[removed:]
    scan(journal, repair=False)  # still a journal: a suffix, no gap


def test_pruning_keeps_the_bytes_under_the_limit(home):
    archive = Archive(home, Retention(3600, 8192))
    writer, _ = write(home, 40, archive)
    writer.close()
    archive.prune(force=True)
    total = sum(p.stat().st_size for j in archive.journals() for _, p in list_segments(j))
    assert 0 < total <= 8192


def test_an_emptied_archive_of_a_settled_journal_disappears(home, database_url):
    archive = Archive(home, Retention(3600, 10**9))
    writer, _ = write(home, 30, archive, settle=False)
    writer.close()
    with store_pool.connect(database_url) as conn:
        migrate(conn)
        settle_closed(conn, home, node="n", archive=archive)
    assert len(archive.journals()) == 1
    archive.prune(now=time.time() + 7200, force=True)
    assert archive.journals() == []


@pytest.fixture
def db(database_url):
    with store_pool.connect(database_url) as conn:
        migrate(conn)
        yield conn


def test_replay_from_the_archive_restores_what_a_restored_database_lost(home, db):
    archive = Archive(home, Retention(3600, 10**9))
    writer, ids = write(home, 25, archive, settle=False)
    writer.close()
    settle_closed(db, home, node="n", archive=archive)
    assert db.execute("SELECT count(*) FROM judgments").fetchone()[0] == 25
    db.execute("TRUNCATE judgments, perceptions, state_counters")  # a restore from before these writes
    again = apply_archive(db, home, archive, node="n")
    assert (again.applied, again.already_present) == (25, 0)
    assert sorted(r[0] for r in db.execute("SELECT judgment_id::text FROM judgments")) == sorted(ids)
    assert apply_archive(db, home, archive, node="n").applied == 0  # once
