import json
import multiprocessing
import threading

from cynic_app.durability.fsio import FS
from cynic_app.durability.guidance import GuidanceWriter, read_guidance
from cynic_app.durability.journal import Clock, Position
from cynic_app.judgment import Cell, judge
from cynic_app.judgment.state import ConsciousState
from cynic_app.node.checkpoint import load_from_checkpoint, sync_checkpoint


def judgment(text="x = 1"):
    return judge(Cell.create(content=text)).to_dict()


def at(ts, journal="j", seq=1):
    return Position(ts, journal, seq)


def test_guidance_names_the_judgment(tmp_path):
    j = judgment()
    assert GuidanceWriter(tmp_path).write(j, at(5, "w1", 3))
    doc = read_guidance(tmp_path / "guidance.json")
    assert doc["judgment_id"] == j["judgment_id"]
    assert (doc["ts"], doc["journal"], doc["journal_seq"]) == (5, "w1", 3)
    assert set(doc) >= {
        "timestamp",
        "judgment_id",
        "state_key",
        "verdict",
        "q_score",
        "confidence",
        "reality",
        "dog_votes",
    }
    assert (tmp_path / "guidance.json").stat().st_mode & 0o002 == 0  # not world-writable


def test_guidance_never_moves_backwards(tmp_path):
    writer = GuidanceWriter(tmp_path)
    newer, older = judgment("a = 1"), judgment("b = 2")
    assert writer.write(newer, at(5))
    assert not writer.write(older, at(4, "z", 99))  # an older stamp loses, whatever its journal
    assert read_guidance(tmp_path / "guidance.json")["judgment_id"] == newer["judgment_id"]


def test_a_process_whose_clock_lags_catches_up_with_what_guidance_names(tmp_path):
    ahead, behind = GuidanceWriter(tmp_path), GuidanceWriter(tmp_path, clock=Clock())
    ahead.write(judgment(), at(2**62))  # a clock far ahead (or one that was stepped back)
    assert not behind.write(judgment("b = 2"), at(behind.clock.now()))
    assert behind.clock.now() > 2**62  # its next records are newer than what is named


def test_a_newer_file_is_trusted_only_after_its_rename_is_made_durable(tmp_path):
    """Finding 7: the process that renamed it may have failed to fsync the directory."""
    synced = []

    class Spy(FS):
        def fsync_dir(self, directory):
            synced.append(directory)
            super().fsync_dir(directory)

    GuidanceWriter(tmp_path).write(judgment(), at(9))
    assert not GuidanceWriter(tmp_path, fs=Spy()).write(judgment("b = 2"), at(8))
    assert synced == [tmp_path]


def _write_many(home, start, n):
    writer = GuidanceWriter(home)
    j = judgment()
    for seq in range(start, start + n):
        writer.write(j, at(seq))


def test_concurrent_writers_never_leave_it_unparseable(tmp_path):
    GuidanceWriter(tmp_path).write(judgment(), at(0))
    stop, bad, reads = threading.Event(), [], [0]

    def reader():
        while not stop.is_set():
            try:
                json.loads((tmp_path / "guidance.json").read_bytes())
                reads[0] += 1
            except ValueError as exc:
                bad.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_many, args=(tmp_path, i * 1000, 60)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    stop.set()
    t.join()
    assert bad == [] and reads[0] > 0
    assert read_guidance(tmp_path / "guidance.json")["ts"] == 3059  # the newest won
    assert not list(tmp_path.glob(".guidance.json.*"))  # no temp files left behind


def test_checkpoint_round_trip(tmp_path):
    state = ConsciousState()
    for text in ("a = 1", "x = eval(input())", "def f():\n    pass\n"):
        state.apply(judgment(text))
    sync_checkpoint(tmp_path, state)
    assert load_from_checkpoint(tmp_path).to_dict() == state.to_dict()
    assert load_from_checkpoint(tmp_path / "nothing-here").total == 0


def test_concurrent_threads_coalesce_and_the_newest_wins(tmp_path):
    writer = GuidanceWriter(tmp_path)
    j = judgment()
    barrier = threading.Barrier(8)

    def work(t):
        barrier.wait()
        for i in range(25):
            writer.write({**j, "judgment_id": f"t{t}-{i}"}, at(t * 1000 + i))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    doc = read_guidance(tmp_path / "guidance.json")
    assert doc["ts"] == 7024 and doc["judgment_id"] == "t7-24"


def test_writes_waiting_while_one_replaces_the_file_share_the_next_replacement(tmp_path):
    """Coalescing, made deterministic: while one replacement is held in its fsync, seven more
    writes arrive; they are all served by one replacement naming the newest of them."""
    held, release = threading.Event(), threading.Event()

    class SlowFirstFsync(FS):
        first = True

        def fsync(self, fd):
            if SlowFirstFsync.first:
                SlowFirstFsync.first = False
                held.set()
                release.wait(10)
            super().fsync(fd)

    writer = GuidanceWriter(tmp_path, fs=SlowFirstFsync())
    first = threading.Thread(target=writer.write, args=(judgment("a = 0"), at(1)))
    first.start()
    held.wait(10)
    waiting = [
        threading.Thread(target=writer.write, args=({**judgment(), "judgment_id": f"w{i}"}, at(10 + i)))
        for i in range(7)
    ]
    for t in waiting:
        t.start()
    while sum(1 for t in waiting if t.is_alive()) < 7:
        pass
    release.set()
    for t in [first, *waiting]:
        t.join(10)
    assert writer.writes == 2
    assert read_guidance(tmp_path / "guidance.json")["judgment_id"] == "w6"
