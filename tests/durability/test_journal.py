import multiprocessing
import os

import pytest

from cynic_app.durability.fsio import FS
from cynic_app.durability.journal import (
    JournalCorrupt,
    JournalPoisoned,
    JournalRefused,
    JournalWriteFailed,
    JournalWriter,
    scan,
)
from cynic_app.durability.journal.reader import records
from cynic_app.durability.journal.segment import list_segments


def write(directory, n, **kwargs):
    writer = JournalWriter(directory, **kwargs)
    seqs = [writer.append("judgment", f"id-{i}", {"i": i, "pad": "x" * 50}) for i in range(n)]
    writer.close()
    return seqs


def test_appends_are_numbered_and_read_back(tmp_path):
    assert write(tmp_path, 5) == [1, 2, 3, 4, 5]
    result = scan(tmp_path)
    assert (result.records, result.first_seq, result.last_seq, result.torn_bytes) == (5, 1, 5, 0)
    assert [r.data["i"] for r in records(tmp_path)] == list(range(5))


def test_a_new_writer_continues_the_sequence(tmp_path):
    write(tmp_path, 3)
    assert write(tmp_path, 2) == [4, 5]


def test_segments_rotate_at_the_configured_size(tmp_path):
    write(tmp_path, 50, segment_bytes=4096)
    segments = list_segments(tmp_path)
    assert len(segments) > 1
    assert all(path.stat().st_size <= 4096 for _, path in segments)
    assert scan(tmp_path).records == 50
    assert [r.seq for r in records(tmp_path)] == list(range(1, 51))


@pytest.mark.parametrize("keep", [1, 10, 40, -1])
def test_torn_tail_is_repaired_and_kept_as_broken(tmp_path, keep):
    write(tmp_path, 3)
    ((_, path),) = list_segments(tmp_path)
    data = path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    torn = data[: last_start + keep] if keep > 0 else data[:-1]
    path.write_bytes(torn)
    result = scan(tmp_path)
    assert result.records == 2 and result.torn_bytes == len(torn) - last_start
    assert path.read_bytes() == data[:last_start]
    assert (tmp_path / (path.name + ".broken")).read_bytes() == torn
    assert write(tmp_path, 1) == [3]  # appending continues after the repair


def test_garbled_last_record_is_a_torn_tail(tmp_path):
    write(tmp_path, 3)
    ((_, path),) = list_segments(tmp_path)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    assert scan(tmp_path).records == 2


def test_corruption_before_the_tail_refuses_with_file_and_offset(tmp_path):
    write(tmp_path, 3)
    ((_, path),) = list_segments(tmp_path)
    data = bytearray(path.read_bytes())
    second = data.find(b"\n") + 1
    data[second + 30] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(JournalCorrupt) as err:
        scan(tmp_path)
    assert err.value.offset == second and err.value.path == path
    assert str(path) in str(err.value)


def test_damage_in_an_older_segment_is_corruption(tmp_path):
    write(tmp_path, 40, segment_bytes=4096)
    _, first = list_segments(tmp_path)[0]
    first.write_bytes(first.read_bytes()[:-5])
    with pytest.raises(JournalCorrupt):
        scan(tmp_path)


def test_a_missing_segment_is_corruption(tmp_path):
    write(tmp_path, 200, segment_bytes=4096)
    assert len(list_segments(tmp_path)) >= 3
    list_segments(tmp_path)[1][1].unlink()
    with pytest.raises(JournalCorrupt, match="expected"):
        scan(tmp_path)


def _appender(directory, n, queue):
    writer = JournalWriter(directory)
    queue.put([writer.append("judgment", f"{os.getpid()}-{i}", {"i": i}) for i in range(n)])


def test_many_processes_append_without_interleaving_or_loss(tmp_path):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_appender, args=(tmp_path, 150, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    seqs = sorted(s for _ in procs for s in queue.get(timeout=60))
    for p in procs:
        p.join()
    assert seqs == list(range(1, 601))
    assert scan(tmp_path).records == 600
    assert len({r.id for r in records(tmp_path)}) == 600


def test_a_writer_truncates_bytes_left_by_a_writer_that_died_mid_line(tmp_path):
    writer = JournalWriter(tmp_path)
    writer.append("judgment", "a", {})
    ((_, path),) = list_segments(tmp_path)
    with path.open("ab") as f:  # another process died half-way through its write
        f.write(b'{"crc":"0000')
    assert writer.append("judgment", "b", {}) == 2
    assert scan(tmp_path).records == 2


class FailingFS(FS):
    """A deliberate fault-injection hook: fail the nth write or fsync."""

    def __init__(self, *, fail_write_at=None, fail_fsync_at=None):
        self.writes = self.fsyncs = 0
        self.fail_write_at, self.fail_fsync_at = fail_write_at, fail_fsync_at

    def write_all(self, fd, data):
        self.writes += 1
        if self.writes == self.fail_write_at:
            os.write(fd, data[: len(data) // 2])  # a partial write, then the disk is full
            raise OSError(28, "No space left on device")
        super().write_all(fd, data)

    def fsync(self, fd):
        self.fsyncs += 1
        if self.fsyncs == self.fail_fsync_at:
            raise OSError(5, "Input/output error")
        super().fsync(fd)


def test_a_failed_write_leaves_no_half_record(tmp_path):
    writer = JournalWriter(tmp_path, fs=FailingFS(fail_write_at=2))
    writer.append("judgment", "a", {})
    with pytest.raises(JournalWriteFailed):
        writer.append("judgment", "b", {})
    assert writer.append("judgment", "c", {}) == 2
    assert [r.id for r in records(tmp_path)] == ["a", "c"]
    assert scan(tmp_path, repair=False).torn_bytes == 0


def test_a_failed_fsync_poisons_the_writer(tmp_path):
    writer = JournalWriter(tmp_path, fs=FailingFS(fail_fsync_at=2))
    writer.append("judgment", "a", {})
    with pytest.raises(JournalPoisoned):
        writer.append("judgment", "b", {})
    with pytest.raises(JournalRefused):
        writer.append("judgment", "c", {})
    assert writer.poisoned is not None


def test_cutting_a_dead_writers_bytes_lowers_the_durable_mark(tmp_path):
    """Another process's fsync may have covered a dead writer's partial line; once it is cut,
    the node's mark must not vouch for those offsets, or the lines written there next could be
    taken as durable (by a process that sees the file grown past the mark) without an fsync."""
    import struct

    from cynic_app.durability.journal.writer import SYNC_LOCK_NAME

    marks_at_fsync = []

    class MarkSpy(FS):
        def fsync(self, fd):
            raw = (tmp_path / SYNC_LOCK_NAME).read_bytes()[:16]
            marks_at_fsync.append(struct.unpack("<QQ", raw) if len(raw) == 16 else (0, 0))
            super().fsync(fd)

    writer = JournalWriter(tmp_path, fs=MarkSpy())
    writer.append("judgment", "a", {})
    ((_, path),) = list_segments(tmp_path)
    good = path.stat().st_size
    with path.open("ab") as f:  # a writer died mid-line, and someone's fsync covered its bytes
        f.write(b'{"crc":"0000' + b"x" * 200)
    (tmp_path / SYNC_LOCK_NAME).write_bytes(struct.pack("<QQ", 1, good + 212))
    writer.append("judgment", "b", {})
    assert marks_at_fsync[-1] <= (1, good)  # lowered to the cut before anything relied on it
