"""Power loss at every sync point: nothing journaled and unsettled is ever lost, and every disk
image a power loss can leave starts up.

``kill -9`` leaves the page cache intact, so it cannot show a missing fsync; this can. The
workloads run the real journal writer, settler, guidance and checkpoint writers through
PowerLossFS; at each sync point, before the sync takes effect, every disk image a power loss
could leave is recovered and checked.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from pathlib import Path

import psycopg

from cynic_app.durability.guidance import GuidanceWriter, position_of
from cynic_app.durability.journal import Clock, JournalWriteFailed, JournalWriter, scan
from cynic_app.durability.journal.layout import list_journals
from cynic_app.durability.journal.reader import records
from cynic_app.judgment import Cell, judge
from cynic_app.judgment.state import ConsciousState
from cynic_app.node.checkpoint import load_from_checkpoint, sync_checkpoint
from cynic_app.node.settle import settle_closed
from cynic_app.store import pool as store_pool
from cynic_app.store.migrations import migrate
from tests.support.powerloss import VARIANTS, PowerLossFS, durable_lines, materialise, scratch_dir

WRITES = 200
ABORT_EVERY = 9  # every 9th write "fails in the database": aborted, never acknowledged
DOUBT_EVERY = 7  # every 7th write stays in doubt (unsettled) for DOUBT_FOR more writes
DOUBT_FOR = 20
CHECKPOINT_EVERY = 25
BATCH_EVERY = 4  # every 4th write goes out with two more in one write: a group commit


def recover_image(image, home: Path) -> dict[tuple[str, int], str]:
    """Start up on a disk image the way start-up reads it; return {(journal, seq): id}."""
    root = scratch_dir("powerloss-")
    try:
        materialise(image, home, root)
        found = {}
        for journal in list_journals(root / "journal"):
            scanned = scan(journal)  # raises JournalCorrupt if this image does not start up
            for record in records(scanned):
                found[(journal.name, record.seq)] = record.id
        load_from_checkpoint(root)  # must load (or be absent)
        return found
    finally:
        shutil.rmtree(root)


def new_judgment(i: int) -> dict:
    return judge(Cell.create(content=f"value_{i} = {i}  # write {i}")).to_dict()


def test_every_sync_point_of_a_writer_survives_power_loss(tmp_path):
    home = tmp_path / "home"
    (home / "journal").mkdir(parents=True)
    unsettled: dict[tuple[str, int], str] = {}  # journaled, not yet settled: MUST survive
    acked: list = []  # (position, id) whose guidance write returned
    aborted: set[str] = set()
    checked = {"images": 0}

    def on_sync_point(images):
        for variant in VARIANTS:
            found = recover_image(images[variant], home)
            for where, rid in unsettled.items():
                assert found.get(where) == rid, f"unsettled record {where} lost ({variant})"
            for where, rid in found.items():
                assert journaled.get(where, rid) == rid, f"{where} holds {rid}, never written there"
            guidance = images[variant].get(home / "guidance.json")
            if acked:
                assert guidance is not None, "guidance.json missing after an acknowledged write"
                doc = read_guidance_bytes(guidance)
                assert position_of(doc) >= acked[-1][0], "guidance older than the newest ack"
                assert doc["judgment_id"] not in aborted
            checked["images"] += 1

    fs = PowerLossFS(on_sync_point)
    clock = Clock()
    writer = JournalWriter(home / "journal", segment_bytes=16 * 1024, fs=fs, clock=clock)
    guidance = GuidanceWriter(home, fs=fs, clock=clock)
    journaled: dict[tuple[str, int], str] = {}
    in_doubt: list[tuple[int, tuple[str, int]]] = []  # (settle after write n, where)
    state = ConsciousState()
    for i in range(WRITES):
        j = new_judgment(i)
        record = ("judgment", j["judgment_id"], {"judgment": j, "created_at": "2026-11-25T00:00:00Z"}, False)
        if i % BATCH_EVERY == 0:  # a group commit: several lines in one write, then one fsync
            others = [new_judgment(10_000 + i + k) for k in range(2)]
            batch = [
                ("judgment", o["judgment_id"], {"judgment": o, "created_at": "x"}, False) for o in others
            ]
            *extra, position = writer.append_many([*batch, record])
            for other, at in zip(others, extra, strict=True):
                journaled[(at.journal, at.seq)] = other["judgment_id"]
                writer.resolve([at.seq])  # committed (modelled)
        else:
            position = writer.append(*record[:3])
        where = (position.journal, position.seq)
        journaled[where] = unsettled[where] = j["judgment_id"]
        if i % ABORT_EVERY == ABORT_EVERY - 1:
            abort = writer.append("abort", j["judgment_id"], {"ref_seq": position.seq}, resolved=True)
            journaled[(abort.journal, abort.seq)] = j["judgment_id"]
            aborted.add(j["judgment_id"])
            del unsettled[where]
            writer.resolve([position.seq])
            continue
        if i % DOUBT_EVERY == 0:
            in_doubt.append((i + DOUBT_FOR, where))
        else:  # committed in PostgreSQL (modelled): settled
            del unsettled[where]
            writer.resolve([position.seq])
        for due, held in [d for d in in_doubt if d[0] <= i]:
            in_doubt.remove((due, held))
            del unsettled[held]  # resolved as committed
            writer.resolve([held[1]])
        guidance.write(j, position)
        state.apply(j)
        acked.append((position, j["judgment_id"]))
        if i % CHECKPOINT_EVERY == 0:
            sync_checkpoint(home, state, fs=fs)
    writer.close()

    print(f"power loss simulated at {fs.sync_points} sync points, {checked['images']} disk images recovered")
    assert writer.retired >= 3, "the workload must exercise segment deletion"
    assert len(acked) >= 170 and fs.sync_points >= 3 * len(acked)
    assert checked["images"] == fs.sync_points * len(VARIANTS)


def read_guidance_bytes(data: bytes) -> dict:
    import json

    return json.loads(data)


def test_settling_a_closed_journal_loses_nothing_at_any_sync_point(tmp_path, database_url):
    """Finding 1: at every moment of settling — repair, apply, guidance, deletion — each record
    of the closed journal is on the disk image or committed in PostgreSQL (seen from another
    connection), so a power loss or a crash anywhere in it loses nothing."""
    home = tmp_path / "home"
    (home / "journal").mkdir(parents=True)
    with store_pool.connect(database_url) as conn:
        migrate(conn)
    writer = JournalWriter(home / "journal", segment_bytes=8 * 1024)
    ids = []
    for i in range(30):
        j = new_judgment(i)
        writer.append("judgment", j["judgment_id"], {"judgment": j, "created_at": "2026-11-25T00:00:00Z"})
        ids.append(j["judgment_id"])
    writer.close()  # its process died with all 30 in doubt
    ((journal),) = list_journals(home / "journal")
    segment = sorted(journal.glob("*.jsonl"))[-1]
    segment.write_bytes(segment.read_bytes() + b'{"crc":"0badf00d","seq":31,"ts":1,"kind":"judg')  # torn
    checked = {"points": 0}
    observer = psycopg.connect(database_url, autocommit=True)

    def on_sync_point(images):
        committed = {
            row[0]
            for row in observer.execute(
                "SELECT judgment_id::text FROM judgments WHERE judgment_id = ANY(%s::uuid[])", (ids,)
            )
        }
        for variant in VARIANTS:
            found = set(recover_image(images[variant], home).values())
            lost = [rid for rid in ids if rid not in found and rid not in committed]
            assert not lost, f"{len(lost)} records neither on disk ({variant}) nor committed"
        checked["points"] += 1

    fs = PowerLossFS(on_sync_point, existing=home)
    with store_pool.connect(database_url) as conn:
        settled = settle_closed(conn, home, node="n", fs=fs)
    observer.close()
    assert settled.applied == 30 and settled.torn_bytes > 0
    assert list_journals(home / "journal") == []
    assert (home / "broken").is_dir()
    assert checked["points"] >= 6


def test_group_commit_never_acknowledges_before_its_fsync(tmp_path):
    """Many threads share fsyncs; at every sync point each acknowledged record is durable."""
    root = tmp_path / "journal"
    root.mkdir()
    acked: list[tuple[int, str]] = []
    lock = threading.Lock()
    checked = {"points": 0}

    def on_sync_point(images):
        with lock:
            snapshot = list(acked)
        recovered = durable_lines(images["dropped"])  # the harshest: nothing unsynced survives
        for seq, rid in snapshot:
            assert recovered.get(seq) == rid, f"record {seq} was acknowledged before it was durable"
        checked["points"] += 1

    fs = PowerLossFS(on_sync_point)
    writer = JournalWriter(root, segment_bytes=16 * 1024, fs=fs)

    def work(t):
        for i in range(60):
            rid = f"t{t}-{i}-{uuid.uuid4().hex[:6]}"
            seq = writer.append("judgment", rid, {"pad": "x" * 100}).seq
            with lock:
                acked.append((seq, rid))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(acked) == 360 and len({s for s, _ in acked}) == 360
    print(f"group commit: {writer.fsyncs} fsyncs for 360 appends, {checked['points']} sync points checked")
    assert writer.fsyncs < 360  # fsyncs were shared


def test_failed_writes_among_threads_never_let_a_line_be_acknowledged_without_its_fsync(tmp_path):
    """Finding 4: a failed write is cut off while other threads write and fsync; the line later
    written where it was must still get an fsync of its own before it is acknowledged."""
    import random

    root = tmp_path / "journal"
    root.mkdir()
    acked: dict[int, str] = {}
    lock = threading.Lock()
    rng = random.Random(4)

    class FlakyFS(PowerLossFS):
        def write_all(self, fd, data):
            if rng.random() < 0.15:
                super().write_all(fd, data[: rng.randrange(1, len(data))] + b"\x00" * 40)
                raise OSError(28, "No space left on device")
            super().write_all(fd, data)

    def on_sync_point(images):
        with lock:
            snapshot = dict(acked)
        durable = durable_lines(images["dropped"])
        for seq, rid in snapshot.items():
            assert durable.get(seq) == rid, f"record {seq} was acknowledged before it was durable"

    fs = FlakyFS(on_sync_point)
    writer = JournalWriter(root, segment_bytes=8 * 1024, fs=fs)
    failed = []

    def work(t):
        for i in range(50):
            rid = f"t{t}-{i}"
            try:
                seq = writer.append("judgment", rid, {"pad": "x" * rng.randrange(10, 300)}).seq
            except JournalWriteFailed:
                failed.append(rid)
                continue
            with lock:
                acked[seq] = rid

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed and len(acked) + len(failed) == 300
    assert sorted(acked) == list(range(1, len(acked) + 1))  # no seq lost or reused
    on_sync_point({"dropped": fs.image("dropped")})
