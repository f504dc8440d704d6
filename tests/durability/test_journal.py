"""The journal: one writer per journal, numbered lines, group commit, the three read outcomes."""

import multiprocessing
import os

import pytest

from cynic_app.durability.journal import (
    JournalCorrupt,
    JournalPoisoned,
    JournalRefused,
    JournalWriteFailed,
    JournalWriter,
    scan,
)
from cynic_app.durability.journal.closed import claim
from cynic_app.durability.journal.layout import list_journals, list_segments
from cynic_app.durability.journal.reader import records
from tests.support.faults import FailingFS


def write(root, n, **kwargs):
    writer = JournalWriter(root, **kwargs)
    seqs = [writer.append("judgment", f"id-{i}", {"i": i, "pad": "x" * 50}).seq for i in range(n)]
    writer.close()
    return writer, seqs


def test_appends_are_numbered_and_read_back(tmp_path):
    writer, seqs = write(tmp_path, 5)
    assert seqs == [1, 2, 3, 4, 5]
    result = scan(writer.directory)
    assert (result.records, result.first_seq, result.last_seq, result.torn_bytes) == (5, 1, 5, 0)
    assert [r.data["i"] for r in records(result)] == list(range(5))


def test_every_writer_has_a_journal_of_its_own_numbered_from_one(tmp_path):
    first, seqs_a = write(tmp_path, 3)
    second, seqs_b = write(tmp_path, 2)
    assert seqs_a == [1, 2, 3] and seqs_b == [1, 2]
    assert first.directory != second.directory
    assert sorted(list_journals(tmp_path)) == sorted([first.directory, second.directory])


def test_positions_order_records_across_journals_by_time(tmp_path):
    a, b = JournalWriter(tmp_path), JournalWriter(tmp_path)
    positions = [w.append("judgment", f"r{i}", {}) for i, w in enumerate([a, b, a, b])]
    assert positions == sorted(positions)
    assert [p.journal for p in positions] == [a.name, b.name, a.name, b.name]
    a.close(), b.close()


def test_segments_rotate_at_the_configured_size(tmp_path):
    writer, _ = write(tmp_path, 50, segment_bytes=4096)
    segments = list_segments(writer.directory)
    assert len(segments) > 1
    assert all(path.stat().st_size <= 4096 for _, path in segments)
    scanned = scan(writer.directory)
    assert scanned.records == 50
    assert [r.seq for r in records(scanned)] == list(range(1, 51))


def test_the_writer_holds_its_journal_until_it_closes(tmp_path):
    writer = JournalWriter(tmp_path)
    writer.append("judgment", "a", {})
    with claim(writer.directory) as closed:
        assert not closed
    writer.close()
    with claim(writer.directory) as closed:
        assert closed
    with pytest.raises(JournalRefused):
        writer.append("judgment", "b", {})


def test_a_writer_that_never_appends_leaves_nothing_on_disk(tmp_path):
    JournalWriter(tmp_path).close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("keep", [1, 10, 40, -1])
def test_torn_tail_is_repaired_and_kept_as_broken(tmp_path, keep):
    writer, _ = write(tmp_path, 3)
    ((_, path),) = list_segments(writer.directory)
    data = path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    torn = data[: last_start + keep] if keep > 0 else data[:-1]
    path.write_bytes(torn)
    result = scan(writer.directory)
    assert result.records == 2 and result.torn_bytes == len(torn) - last_start
    assert path.read_bytes() == data[:last_start]
    assert (writer.directory / (path.name + ".broken")).read_bytes() == torn


def test_garbled_last_record_is_a_torn_tail(tmp_path):
    writer, _ = write(tmp_path, 3)
    ((_, path),) = list_segments(writer.directory)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    assert scan(writer.directory).records == 2


def test_corruption_before_the_tail_refuses_with_file_and_offset(tmp_path):
    writer, _ = write(tmp_path, 3)
    ((_, path),) = list_segments(writer.directory)
    data = bytearray(path.read_bytes())
    second = data.find(b"\n") + 1
    data[second + 30] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(JournalCorrupt) as err:
        scan(writer.directory)
    assert err.value.offset == second and err.value.path == path
    assert str(path) in str(err.value)


def test_damage_in_an_older_segment_is_corruption(tmp_path):
    writer, _ = write(tmp_path, 40, segment_bytes=4096)
    _, first = list_segments(writer.directory)[0]
    first.write_bytes(first.read_bytes()[:-5])
    with pytest.raises(JournalCorrupt):
        scan(writer.directory)


def test_a_missing_segment_is_corruption(tmp_path):
    writer, _ = write(tmp_path, 200, segment_bytes=4096)
    assert len(list_segments(writer.directory)) >= 3
    list_segments(writer.directory)[1][1].unlink()
    with pytest.raises(JournalCorrupt, match="expected"):
        scan(writer.directory)


def _appender(root, n, queue):
    writer = JournalWriter(root)
    queue.put(
        (writer.name, [writer.append("judgment", f"{os.getpid()}-{i}", {"i": i}).seq for i in range(n)])
    )
    writer.close()


def test_many_processes_append_each_to_its_own_journal(tmp_path):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_appender, args=(tmp_path, 150, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join()
    assert all(seqs == list(range(1, 151)) for _, seqs in results)
    assert sorted(j.name for j in list_journals(tmp_path)) == sorted(name for name, _ in results)
    for journal in list_journals(tmp_path):
        scanned = scan(journal)
        assert scanned.records == 150 and len({r.id for r in records(scanned)}) == 150


def test_a_failed_write_leaves_no_half_record(tmp_path):
    writer = JournalWriter(tmp_path, fs=FailingFS(fail_write_at=2))
    writer.append("judgment", "a", {})
    with pytest.raises(JournalWriteFailed):
        writer.append("judgment", "b", {})
    assert writer.append("judgment", "c", {}).seq == 2
    scanned = scan(writer.directory, repair=False)
    assert [r.id for r in records(scanned)] == ["a", "c"] and scanned.torn_bytes == 0


def test_a_failed_fsync_poisons_the_writer(tmp_path):
    writer = JournalWriter(tmp_path, fs=FailingFS(fail_fsync_at=2))
    writer.append("judgment", "a", {})
    with pytest.raises(JournalPoisoned):
        writer.append("judgment", "b", {})
    with pytest.raises(JournalRefused):
        writer.append("judgment", "c", {})
    assert writer.poisoned is not None


def test_a_failed_cut_after_a_failed_write_poisons_the_writer(tmp_path):
    """Whole lines of the failed write may be on disk: their outcome is unknown, not failed."""
    writer = JournalWriter(tmp_path, fs=FailingFS(fail_write_at=2, fail_truncate=True))
    writer.append("judgment", "a", {})
    with pytest.raises(JournalPoisoned):
        writer.append("judgment", "b", {})
    with pytest.raises(JournalRefused):
        writer.append("judgment", "c", {})


def test_a_failed_directory_fsync_at_segment_creation_poisons_the_writer(tmp_path):
    """Finding 7: the new segment's name may not survive a power loss, so nothing written
    under it may ever be acknowledged — the writer must not carry on as if it had."""
    fs = FailingFS(fail_dir_fsync_at=3)  # 1: the journal in its root, 2: segment 1, 3: segment 2
    writer = JournalWriter(tmp_path, segment_bytes=4096, fs=fs)
    appended = 0
    with pytest.raises(JournalRefused):
        while True:
            writer.append("judgment", f"r{appended}", {"pad": "x" * 500})
            appended += 1
    assert writer.poisoned is not None and appended > 0
    with pytest.raises(JournalRefused):
        writer.append("judgment", "after", {})


def test_a_full_disk_at_the_first_write_of_a_segment_leaves_an_empty_tail_that_is_fine(tmp_path):
    """Finding 2: an empty tail (disk full right after a rotation) neither stalls the writer
    nor stops a later start."""
    fs = FailingFS()
    writer = JournalWriter(tmp_path, segment_bytes=4096, fs=fs)
    for i in range(6):
        writer.append("judgment", f"r{i}", {"pad": "x" * 500})
    fs.fail_write_at = fs.writes + 1  # the write that follows the next rotation
    with pytest.raises(JournalWriteFailed):
        writer.append("judgment", "big", {"pad": "x" * 4000})
    tail = list_segments(writer.directory)[-1][1]
    assert tail.stat().st_size == 0
    scanned = scan(writer.directory, repair=False)
    assert (scanned.records, scanned.last_seq) == (6, 6)
    assert writer.append("judgment", "after", {}).seq == 7  # space is back: it carries on at once
    writer.close()
    assert [r.id for r in records(scan(writer.directory))][-1] == "after"


def test_a_closed_journal_with_only_an_empty_tail_scans_clean(tmp_path):
    writer = JournalWriter(tmp_path, segment_bytes=4096)
    seqs = [writer.append("judgment", f"r{i}", {"pad": "x" * 1500}).seq for i in range(4)]
    writer.resolve(seqs)
    writer.close()
    for _, path in list_segments(writer.directory)[:-1]:
        path.unlink()
    (writer.directory / "00000000000000000005.jsonl").write_bytes(b"")  # a rotation, then nothing
    list_segments(writer.directory)[0][1].unlink()
    scanned = scan(writer.directory)
    assert (scanned.records, scanned.last_seq) == (0, 4)


def test_settled_closed_segments_are_deleted_oldest_first_and_the_tail_is_kept(tmp_path):
    fs = FailingFS()
    writer = JournalWriter(tmp_path, segment_bytes=4096, fs=fs)
    seqs = [writer.append("judgment", f"r{i}", {"pad": "x" * 1000}).seq for i in range(12)]
    closed = list_segments(writer.directory)[:-1]
    assert len(closed) >= 3
    writer.resolve(seqs[1:])  # seq 1 is still in doubt: nothing can go
    assert list_segments(writer.directory)[:-1] == closed
    writer.resolve([1])
    assert [first for first, _ in list_segments(writer.directory)] == [closed[-1][0] + 3]
    assert fs.unlinked == [path for _, path in closed]  # oldest first
    writer.close()


def test_a_record_in_doubt_keeps_its_segment_however_many_follow(tmp_path):
    writer = JournalWriter(tmp_path, segment_bytes=4096)
    doubt = writer.append("judgment", "doubt", {"pad": "x" * 1000}).seq
    for i in range(20):
        writer.resolve([writer.append("judgment", f"r{i}", {"pad": "x" * 1000}).seq])
    assert list_segments(writer.directory)[0][0] == 1
    writer.close()
    assert "doubt" in {r.id for r in records(scan(writer.directory))}
    assert doubt == 1


def test_a_poisoned_journal_is_never_appended_to_again_by_anyone(tmp_path):
    """Finding 6: after a failed fsync, no process may trust or extend that journal's pages:
    its writer refuses, and a new writer starts a journal of its own."""
    poisoned = JournalWriter(tmp_path, fs=FailingFS(fail_fsync_at=2))
    poisoned.append("judgment", "a", {})
    with pytest.raises(JournalPoisoned):
        poisoned.append("judgment", "b", {})
    before = {p: p.read_bytes() for p in poisoned.directory.iterdir()}
    fresh = JournalWriter(tmp_path)
    fresh.append("judgment", "c", {})
    assert fresh.directory != poisoned.directory
    assert {p: p.read_bytes() for p in poisoned.directory.iterdir()} == before
    with claim(poisoned.directory) as closed:
        assert not closed  # its process is alive: nobody settles it until the process exits
    poisoned.close()
    with claim(poisoned.directory) as closed:
        assert closed
    fresh.close()


def test_the_journal_root_is_made_durable_in_home_and_home_in_its_parent(tmp_path):
    """Finding 7: CYNIC_HOME/journal was never fsynced into its parent after mkdir."""
    from cynic_app.node.home import prepare_home

    fs = FailingFS()
    synced = []
    fs.fsync_dir = lambda directory: synced.append(directory)
    prepare_home(tmp_path / "a" / "home", fs=fs)
    assert synced == [tmp_path / "a", tmp_path / "a" / "home"]


def test_a_failure_after_the_write_is_never_reported_as_not_written(tmp_path):
    """Review finding: a failed dup/close around the group fsync escaped as a plain OSError, which
    the write path took for "not written" although the line was on disk."""

    class NoDescriptors(FailingFS):
        def dup(self, fd):
            raise OSError(24, "Too many open files")

    writer = JournalWriter(tmp_path, fs=NoDescriptors())
    with pytest.raises(JournalPoisoned):
        writer.append("judgment", "a", {})
    assert writer.poisoned is not None
    with pytest.raises(JournalRefused):
        writer.append("judgment", "b", {})


def test_a_bad_line_followed_by_lines_written_before_it_was_durable_is_a_torn_tail(tmp_path):
    """Review finding: unsynced blocks reach the disk in any order, so a hole can precede lines
    that were never acknowledged; the lines say what their writer knew durable."""
    from cynic_app.durability.journal.record import encode

    (tmp_path / "j").mkdir()
    good = encode(1, "judgment", "a", {}, sync=0)
    hole = b"\x00" * 40 + b"\n"  # line 2's block never arrived
    after = encode(3, "judgment", "c", {}, sync=1)  # written when only seq 1 was durable
    segment = tmp_path / "j" / "00000000000000000001.jsonl"
    segment.write_bytes(good + hole + after)
    result = scan(tmp_path / "j")
    assert (result.records, result.torn_bytes) == (1, len(hole + after))
    vouched = encode(3, "judgment", "c", {}, sync=2)  # its writer knew seq 2 durable: damage
    segment.write_bytes(good + hole + vouched)
    with pytest.raises(JournalCorrupt, match="at byte"):
        scan(tmp_path / "j")


def test_closing_fsyncs_lines_still_waiting_for_their_fsync(tmp_path):
    """Review suspicion: close() during a quick shutdown closed the file under a thread whose
    line was written but not yet fsynced, and that thread then passed without an fsync."""
    import threading
    import time

    from tests.support.powerloss import PowerLossFS

    returned, release = threading.Event(), threading.Event()

    class SlowToReturn(PowerLossFS):
        armed = False

        def fsync(self, fd):
            super().fsync(fd)  # durable now: what was written before this moment
            if SlowToReturn.armed:
                SlowToReturn.armed = False
                returned.set()
                release.wait(10)  # the leader has not come back yet

    fs = SlowToReturn()
    writer = JournalWriter(tmp_path, fs=fs)
    writer.append("judgment", "warm-up", {})
    SlowToReturn.armed = True
    leader = threading.Thread(target=writer.append, args=("judgment", "first", {}))
    leader.start()
    returned.wait(10)  # the leader's fsync covered "first" and is slow to return
    late = []
    follower = threading.Thread(target=lambda: late.append(writer.append("judgment", "late", {})))
    follower.start()
    deadline = time.monotonic() + 10
    while writer._written < 3 and time.monotonic() < deadline:  # "late" is written, waiting
        time.sleep(0.001)
    writer.close()  # a quick shutdown, with "late" written but not yet fsynced
    release.set()
    leader.join(10)
    follower.join(10)
    (segment,) = writer.directory.glob("*.jsonl")
    assert late and b'"late"' in fs.image("dropped")[segment]  # acknowledged, so it was fsynced


def test_a_closed_writer_never_deletes_a_segment(tmp_path):
    """Review finding: a batch still running when its process closes the writer (gunicorn's
    graceful timeout passed) settles its records afterwards; from the close on the journal is a
    settler's, so settling must not retire (delete) segments the settler may be reading."""
    writer = JournalWriter(tmp_path, segment_bytes=4096)
    positions = [writer.append("judgment", f"r{i}", {"pad": "x" * 500}) for i in range(20)]
    segments = list_segments(writer.directory)
    assert len(segments) >= 3
    writer.close()
    writer.resolve([p.seq for p in positions])
    assert list_segments(writer.directory) == segments
