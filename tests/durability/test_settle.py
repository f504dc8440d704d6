"""Settling closed journals: applied and committed exactly once, then deleted; live ones untouched."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from cynic_app.durability.fsio import FS
from cynic_app.durability.guidance import read_guidance
from cynic_app.durability.journal import JournalCorrupt, JournalWriter
from cynic_app.durability.journal.closed import remove_unborn
from cynic_app.durability.journal.layout import LOCK_NAME, list_journals, list_segments
from cynic_app.judgment import Cell, judge
from cynic_app.node.settle import settle_closed
from cynic_app.record import from_data
from cynic_app.store import pool as store_pool
from cynic_app.store import repository
from cynic_app.store.migrations import migrate
from cynic_app.store.rows import record_rows
from tests.support.faults import FailingFS, flip_a_byte_after_the_first_line


@pytest.fixture
def db(database_url):
    with store_pool.connect(database_url) as conn:
        migrate(conn)
        yield conn


def judgment_record(i: int, **extra) -> tuple[str, dict]:
    j = judge(Cell.create(content=f"value_{i} = {i}")).to_dict()
    return j["judgment_id"], {"judgment": j, "created_at": "2026-11-25T00:00:00+00:00", **extra}


def journal(home, n, *, aborted=(), close=True, segment_bytes=64 * 1024):
    """A writer's journal of n judgments (those in aborted get an abort record); its ids."""
    (home / "journal").mkdir(parents=True, exist_ok=True)
    writer = JournalWriter(home / "journal", segment_bytes=segment_bytes)
    ids = []
    for i in range(n):
        rid, data = judgment_record(i)
        seq = writer.append("judgment", rid, data).seq
        if i in aborted:
            writer.append("abort", rid, {"ref_seq": seq}, resolved=True)
        ids.append(rid)
    if close:
        writer.close()
    return writer, ids


def stored(conn) -> list[str]:
    return sorted(r[0] for r in conn.execute("SELECT judgment_id::text FROM judgments"))


def test_a_closed_journal_is_applied_once_without_its_aborted_records_then_deleted(home, db):
    _, ids = journal(home, 10, aborted={3, 7})
    settled = settle_closed(db, home, node="n")
    assert (settled.journals, settled.applied, settled.aborted) == (1, 8, 2)
    assert stored(db) == sorted(i for n, i in enumerate(ids) if n not in (3, 7))
    assert list_journals(home / "journal") == []
    assert settle_closed(db, home, node="n").scanned == 0  # nothing is read twice
    assert read_guidance(home / "guidance.json")["judgment_id"] == ids[9]


def test_settling_commits_before_it_deletes_anything(home, db, database_url):
    """Finding 1: when a journal file goes, its records are committed — seen from another
    connection — not merely written inside a transaction still open."""
    _, ids = journal(home, 12)
    seen_at_unlink = []

    class Observer(FS):
        def unlink(self, path):
            with psycopg.connect(database_url) as other:
                seen_at_unlink.append(other.execute("SELECT count(*) FROM judgments").fetchone()[0])
            super().unlink(path)

    settle_closed(db, home, node="n", fs=Observer())
    assert seen_at_unlink and all(n == 12 for n in seen_at_unlink)


def test_a_non_autocommit_connection_is_refused(home, database_url):
    journal(home, 2)
    with psycopg.connect(database_url) as conn, pytest.raises(ValueError, match="autocommit"):
        settle_closed(conn, home, node="n")
    assert len(list_journals(home / "journal")) == 1


def test_a_live_journal_is_never_touched_and_its_writer_carries_on(home, db):
    """Finding 3: settling while a writer sits idle must not delete, cut or reuse its files."""
    writer, ids = journal(home, 5, close=False, segment_bytes=4096)
    before = {p: p.read_bytes() for _, p in list_segments(writer.directory)}
    settled = settle_closed(db, home, node="n")
    assert (settled.journals, settled.live, settled.applied) == (0, 1, 0)
    assert {p: p.read_bytes() for _, p in list_segments(writer.directory)} == before
    rid, data = judgment_record(99)
    assert writer.append("judgment", rid, data).seq == 6  # idle, then on, in its own journal
    writer.close()
    assert settle_closed(db, home, node="n").applied == 6
    assert stored(db) == sorted([*ids, rid])


def test_a_journal_being_born_is_left_alone_and_removed_only_at_start_up(home, db):
    unborn = home / "journal" / "20261125T000000-1-0badf00d"
    unborn.mkdir(parents=True)
    (unborn / LOCK_NAME).touch()
    assert settle_closed(db, home, node="n").journals == 0
    assert unborn.exists()
    assert remove_unborn(home) == 1 and not unborn.exists()


def test_a_torn_tail_is_cut_and_its_bytes_kept_in_broken(home, db):
    writer, ids = journal(home, 4)
    ((_, path),) = list_segments(writer.directory)
    path.write_bytes(path.read_bytes() + b'{"crc":"1234abcd","seq":5,"ts":1,"kind":"judg')
    settled = settle_closed(db, home, node="n")
    assert settled.torn_bytes > 0 and settled.applied == 4
    assert stored(db) == sorted(ids)
    (kept,) = (home / "broken").iterdir()
    assert kept.name == f"{writer.name}-{path.name}.broken" and kept.read_bytes().endswith(b'"kind":"judg')


def test_settling_counts_its_records_and_torn_bytes_where_operations_md_alerts_on_them(home, db):
    """Review finding: cynic_replay_torn_bytes_total, which docs/operations.md says to alert on,
    and cynic_replay_records_total were defined and never incremented."""
    from prometheus_client import REGISTRY

    def sample(name: str, **labels) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before = sample("cynic_replay_torn_bytes_total"), sample("cynic_replay_records_total", result="applied")
    aborted_before = sample("cynic_replay_records_total", result="aborted")
    writer, _ = journal(home, 3, aborted={1})
    ((_, path),) = list_segments(writer.directory)
    torn = b'{"crc":"1234abcd","seq":5,"ts":1,"kind":"judg'
    path.write_bytes(path.read_bytes() + torn)
    settle_closed(db, home, node="n")
    after = sample("cynic_replay_torn_bytes_total"), sample("cynic_replay_records_total", result="applied")
    assert (after[0] - before[0], after[1] - before[1]) == (len(torn), 2)
    assert sample("cynic_replay_records_total", result="aborted") - aborted_before == 1


def test_corruption_in_a_closed_journal_refuses_and_leaves_it_as_it_is(home, db):
    writer, _ = journal(home, 4)
    ((_, path),) = list_segments(writer.directory)
    flip_a_byte_after_the_first_line(path)
    corrupt = path.read_bytes()
    with pytest.raises(JournalCorrupt, match="at byte"):
        settle_closed(db, home, node="n")
    assert path.read_bytes() == corrupt and stored(db) == []


def test_records_in_doubt_of_a_dead_writer_are_applied(home, db):
    """Finding 5: a worker that exits with in-doubt records leaves them in its journal; the
    settler applies them (resolved as committed), with their Idempotency-Key."""
    (home / "journal").mkdir(parents=True)
    writer = JournalWriter(home / "journal")
    rid, data = judgment_record(1, idempotency={"key": "k-1", "fingerprint": "f"})
    writer.append("judgment", rid, data)  # then the connection died during COMMIT, then the worker
    writer.close()
    assert settle_closed(db, home, node="n").applied == 1
    assert db.execute("SELECT record_id::text FROM idempotency_keys WHERE key = 'k-1'").fetchone()[0] == rid


def test_guidance_never_names_a_record_settling_did_not_store(home, db):
    """Finding 7: a record that lost its Idempotency-Key to another is skipped, and guidance.json
    must not name it even though it is the newest in the journal."""
    winner, winner_data = judgment_record(1, idempotency={"key": "k", "fingerprint": "f"})
    loser, loser_data = judgment_record(2, idempotency={"key": "k", "fingerprint": "f"})
    with db.transaction():
        repository.store_records(
            db, [record_rows(from_data("judgment", winner_data), journal="other", seq=1, ts=0)], node="n"
        )
    (home / "journal").mkdir(parents=True)
    writer = JournalWriter(home / "journal")
    plain, plain_data = judgment_record(3)
    writer.append("judgment", plain, plain_data)
    writer.append("judgment", loser, loser_data)  # newest, but its key belongs to the winner
    writer.close()
    settled = settle_closed(db, home, node="n")
    assert (settled.applied, settled.superseded) == (1, 1)
    assert read_guidance(home / "guidance.json")["judgment_id"] == plain


def test_the_format_1_journal_is_settled_at_start_up_only(home, db):
    legacy = home / "journal"
    legacy.mkdir(parents=True)
    rid, data = judgment_record(1)
    (legacy / "00000000000000000001.jsonl").write_bytes(_v1_line(rid, data))
    (legacy / ".lock").touch()
    assert settle_closed(db, home, node="n").journals == 0  # a live service may still hold it
    settled = settle_closed(db, home, node="n", exclusive=True)
    assert settled.applied == 1 and stored(db) == [rid]
    assert list(legacy.iterdir()) == []


def _v1_line(rid: str, data: dict) -> bytes:
    """A line as format 1 wrote it: no ts."""
    import zlib

    body = (
        b'"seq":1,'
        + json.dumps({"kind": "judgment", "id": rid, "data": data}, separators=(",", ":")).encode()[1:-1]
    )
    return b'{"crc":"%08x",' % zlib.crc32(body) + body + b"}\n"


def test_a_dry_run_writes_and_deletes_nothing(home, db):
    writer, _ = journal(home, 3)
    ((_, path),) = list_segments(writer.directory)
    path.write_bytes(path.read_bytes() + b"torn")
    before = path.read_bytes()
    settled = settle_closed(db, home, node="n", dry_run=True)
    assert (settled.applied, settled.torn_bytes) == (3, 4)
    assert stored(db) == [] and path.read_bytes() == before
    assert not (home / "guidance.json").exists()


def test_many_settled_journals_leave_no_directory_behind(home, db):
    for _ in range(5):
        journal(home, 3)
    assert settle_closed(db, home, node="n").journals == 5
    assert [p.name for p in (home / "journal").iterdir()] == ["writers.lock"]
    assert len(set(stored(db))) == 15 == len(stored(db))


def test_a_crash_half_way_through_deleting_leaves_a_journal_that_settles_again(home, db):
    writer, ids = journal(home, 40, segment_bytes=4096)
    segments = list_segments(writer.directory)
    assert len(segments) >= 3

    class CrashAtSecondUnlink(FS):
        unlinks = 0

        def unlink(self, path):
            CrashAtSecondUnlink.unlinks += 1
            if CrashAtSecondUnlink.unlinks == 2:
                raise KeyboardInterrupt("power cut")
            super().unlink(path)

    with pytest.raises(KeyboardInterrupt):
        settle_closed(db, home, node="n", fs=CrashAtSecondUnlink())
    assert [p for _, p in list_segments(writer.directory)] == [p for _, p in segments[1:]]  # a suffix
    settled = settle_closed(db, home, node="n")
    assert settled.already_present == settled.scanned > 0 and settled.applied == 0
    assert list_journals(home / "journal") == [] and stored(db) == sorted(ids)


def test_ids_are_unique_per_record_across_journals(home, db):
    a, ids_a = journal(home, 3)
    b, ids_b = journal(home, 3)
    assert a.name != b.name and not set(ids_a) & set(ids_b)
    settle_closed(db, home, node="n")
    rows = db.execute("SELECT journal, journal_seq FROM judgments ORDER BY journal, journal_seq").fetchall()
    assert rows == sorted([(a.name, s) for s in (1, 2, 3)] + [(b.name, s) for s in (1, 2, 3)])
    assert uuid.UUID(ids_a[0])


def test_two_settlers_at_once_never_trip_over_each_other(home, db, database_url):
    """Review finding: a settler listing a journal another settler had just deleted crashed."""
    import threading

    for _ in range(12):
        journal(home, 2)
    errors = []

    def settler():
        try:
            with store_pool.connect(database_url) as conn:
                settle_closed(conn, home, node="n")
        except Exception as exc:  # noqa: BLE001 - the test reports whatever escaped
            errors.append(exc)

    threads = [threading.Thread(target=settler) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and list_journals(home / "journal") == []


def test_a_failed_broken_copy_leaves_no_copy_behind(home, db):
    """Review finding: on a full disk every attempt left one more (empty) .broken copy."""
    writer, _ = journal(home, 3)
    ((_, path),) = list_segments(writer.directory)
    path.write_bytes(path.read_bytes() + b'{"crc":"torn')
    fs = FailingFS()
    for _ in range(3):
        fs.fail_write_at = fs.writes + 1
        with pytest.raises(OSError):
            settle_closed(db, home, node="n", fs=fs)
    assert [p.name for p in writer.directory.iterdir() if ".broken" in p.name] == []
    settle_closed(db, home, node="n")
    (kept,) = (home / "broken").iterdir()
    assert kept.read_bytes().endswith(b'{"crc":"torn')


def test_one_journal_that_cannot_be_settled_does_not_hold_the_others_back(home, db):
    bad, _ = journal(home, 3)
    ((_, path),) = list_segments(bad.directory)
    flip_a_byte_after_the_first_line(path)
    _, ids = journal(home, 3)
    with pytest.raises(JournalCorrupt):
        settle_closed(db, home, node="n")
    assert stored(db) == sorted(ids) and list_journals(home / "journal") == [bad.directory]


def test_broken_copies_survive_a_settler_that_died_half_way_through_deleting(home, db):
    """Review finding: .broken copies were moved last, so a crash after the segments went left a
    journal that looked unborn, and removing unborn journals deleted the only copy."""
    writer, _ = journal(home, 3)
    ((_, path),) = list_segments(writer.directory)
    path.write_bytes(path.read_bytes() + b'{"crc":"torn')
    (writer.directory / "00000000000000000001.jsonl.broken").write_bytes(b"an earlier copy")
    path.unlink()  # as if a settler died right after deleting the segment
    assert remove_unborn(home) == 1
    assert (
        home / "broken" / f"{writer.name}-00000000000000000001.jsonl.broken"
    ).read_bytes() == b"an earlier copy"


def test_start_up_waits_for_writers_of_an_earlier_run_and_refuses_if_they_stay(config):
    """Review finding: with the master killed, its workers lived on while a new start-up removed
    'unborn' journals — one of them a live writer's, half-way through its birth."""
    from cynic_app.node.errors import WritersAlive
    from cynic_app.node.open import settle_node as replay

    config.journal_dir.mkdir(parents=True)
    writer = JournalWriter(config.journal_dir)
    rid, data = judgment_record(1)
    writer.append("judgment", rid, data)  # holds writers.lock, shared, from its birth on
    with pytest.raises(WritersAlive, match="still write journals"):
        replay(config.with_overrides(startup_timeout_s=0.3))
    assert writer.directory.exists()
    writer.close()
    assert replay(config).applied == 1  # once it is gone, start-up proceeds
