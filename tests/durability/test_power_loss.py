"""Power loss at every sync point of a 200-write workload: nothing acknowledged is ever lost.

``kill -9`` leaves the page cache intact, so it cannot show a missing fsync; this can. The
workload runs the real journal, guidance and checkpoint writers through PowerLossFS; at each
sync point, before the sync takes effect, every disk image a power loss could leave is
recovered and checked.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from cynic_app.durability.checkpoint import load_from_checkpoint, sync_checkpoint
from cynic_app.durability.guidance import GuidanceWriter, read_guidance
from cynic_app.durability.journal import JournalWriter, scan
from cynic_app.durability.journal.reader import records
from cynic_app.durability.journal.record import BadRecord, decode
from cynic_app.judgment import Cell, judge
from cynic_app.judgment.state import ConsciousState
from tests.durability.powerloss import VARIANTS, PowerLossFS, materialise

WRITES = 200
ABORT_EVERY = 9  # every 9th write "fails in the database": aborted, never acknowledged
CHECKPOINT_EVERY = 25


def check_image(image, home: Path, acked: list[tuple[int, str]], aborted: set[str]) -> None:
    root = Path(tempfile.mkdtemp(prefix="powerloss-"))
    try:
        materialise(image, home, root)
        scan(root / "journal")  # raises JournalCorrupt if this image is not recoverable
        recovered = list(records(root / "journal"))
        ids = [r.id for r in recovered if r.kind == "judgment"]
        assert len(ids) == len(set(ids)), "a record survived twice"
        by_seq = {r.seq: r.id for r in recovered}
        for seq, rid in acked:
            assert by_seq.get(seq) == rid, f"acknowledged record {seq} lost"
        guidance = read_guidance(root / "guidance.json")
        if acked:
            assert guidance is not None, "guidance.json missing after an acknowledged write"
            assert guidance["journal_seq"] >= acked[-1][0], "guidance older than the newest ack"
            assert by_seq.get(guidance["journal_seq"]) == guidance["judgment_id"]
            assert guidance["judgment_id"] not in aborted
        load_from_checkpoint(root)  # must load (or be absent)
    finally:
        shutil.rmtree(root)


def test_every_sync_point_survives_power_loss(tmp_path):
    home = tmp_path / "home"
    (home / "journal").mkdir(parents=True)
    acked: list[tuple[int, str]] = []
    aborted: set[str] = set()
    checked = {"images": 0}

    def on_sync_point(images):
        for variant in VARIANTS:
            check_image(images[variant], home, list(acked), set(aborted))
            checked["images"] += 1

    fs = PowerLossFS(on_sync_point)
    journal = JournalWriter(home / "journal", segment_bytes=64 * 1024, fs=fs)
    guidance = GuidanceWriter(home, fs=fs)
    state = ConsciousState()
    for i in range(WRITES):
        j = judge(Cell.create(content=f"value_{i} = {i}  # write {i}")).to_dict()
        seq = journal.append(
            "judgment", j["judgment_id"], {"judgment": j, "created_at": "2026-11-25T00:00:00Z"}
        )
        if i % ABORT_EVERY == ABORT_EVERY - 1:
            journal.append("abort", j["judgment_id"], {"ref_seq": seq})
            aborted.add(j["judgment_id"])
            continue
        guidance.write(j, seq)
        state.apply(j)
        acked.append((seq, j["judgment_id"]))
        if i % CHECKPOINT_EVERY == 0:
            sync_checkpoint(home, state, journal_seq=seq, fs=fs)
    journal.close()

    print(f"power loss simulated at {fs.sync_points} sync points, {checked['images']} disk images recovered")
    assert len(acked) >= 170 and fs.sync_points >= 3 * len(acked)
    assert checked["images"] == fs.sync_points * len(VARIANTS)


def test_group_commit_never_acknowledges_before_its_fsync(tmp_path):
    """Many threads share fsyncs; at every sync point each acknowledged record is durable."""
    import threading

    journal_dir = tmp_path / "journal"
    journal_dir.mkdir()
    acked: list[tuple[int, str]] = []
    lock = threading.Lock()
    checked = {"points": 0}

    def on_sync_point(images):
        with lock:
            snapshot = list(acked)
        image = images["dropped"]  # the harshest: nothing unsynced survives
        recovered = {}
        for path, data in image.items():
            if path.suffix == ".jsonl":
                for line in data.splitlines(keepends=True):
                    try:
                        record = decode(line)
                    except BadRecord:
                        break
                    recovered[record.seq] = record.id
        for seq, rid in snapshot:
            assert recovered.get(seq) == rid, f"record {seq} was acknowledged before it was durable"
        checked["points"] += 1

    fs = PowerLossFS(on_sync_point)
    writer = JournalWriter(journal_dir, segment_bytes=16 * 1024, fs=fs)

    def work(t):
        for i in range(60):
            rid = f"t{t}-{i}"
            seq = writer.append("judgment", rid, {"pad": "x" * 100})
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
