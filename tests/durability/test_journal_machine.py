"""A stateful property test of journals under churn, through the ``fs`` seam.

Several writers ("processes"), each with a journal of its own and tiny segments, append records
that commit in PostgreSQL, abort, or stay in doubt; disks fill up and empty at any write, an
fsync fails, writers exit gracefully, are killed mid-line, or are recycled; whoever settles
closed journals does so at any moment; and at every sync point the power may fail.

Invariants:
- every record whose append returned and that is not settled is readable from its journal,
  on disk now and on every disk image a power loss at any sync point could leave;
- every record settled by settling a closed journal is committed in PostgreSQL;
- no (journal, seq) ever holds two different records, on disk or in any image;
- start-up succeeds on every reachable disk image (every journal verifies, with repair);
- settling never changes a byte of a live journal; closed, settled journals disappear;
- no operation waits forever (a watchdog fails the step after 10 s).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cynic_app.durability.journal import (
    Clock,
    JournalError,
    JournalPoisoned,
    JournalWriteFailed,
    JournalWriter,
    scan,
)
from cynic_app.durability.journal.layout import list_journals, list_segments
from cynic_app.durability.journal.reader import records
from cynic_app.node.settle import settle_closed
from cynic_app.record import from_data
from cynic_app.store import pool as store_pool
from cynic_app.store import repository
from cynic_app.store.migrations import migrate
from cynic_app.store.rows import record_rows
from tests.support.powerloss import VARIANTS, PowerLossFS, materialise, scratch_dir

MAX_LIVE = 3
SEGMENT_BYTES = 1024


class ChurnFS(PowerLossFS):
    """PowerLossFS that can also be full (a write gets part-way, then ENOSPC) or fail an fsync."""

    def __init__(self, on_sync_point):
        super().__init__(on_sync_point)
        self.full = False
        self.fail_next_fsync = False

    def write_all(self, fd, data):
        if self.full:
            super().write_all(fd, data[: max(1, len(data) // 3)])
            raise OSError(errno.ENOSPC, "No space left on device")
        super().write_all(fd, data)

    def fsync(self, fd):
        if self.fail_next_fsync:
            self.fail_next_fsync = False
            self._sync_point()
            raise OSError(errno.EIO, "Input/output error")
        super().fsync(fd)


class Watchdog:
    """Fail, instead of hanging, when a step takes longer than seconds."""

    def __init__(self, seconds: int = 10):
        self.seconds = seconds

    def __enter__(self):
        def expired(_signum, _frame):
            raise AssertionError(f"a journal operation waited more than {self.seconds} s")

        self.previous = signal.signal(signal.SIGALRM, expired)
        signal.alarm(self.seconds)

    def __exit__(self, *exc):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.previous)


class JournalChurn(RuleBasedStateMachine):
    database_url: str = ""

    @initialize()
    def start(self):
        self.began = time.monotonic()
        self.home = Path(tempfile.mkdtemp(prefix="churn-"))
        (self.home / "journal").mkdir()
        self.fs = ChurnFS(self.check_images)
        self.started: dict[bytes, dict] = {}  # image digest → what start-up found on it
        self.conn = store_pool.connect(self.database_url)
        self.observer = store_pool.connect(self.database_url)  # sees only what is committed
        migrate(self.conn)
        self.conn.execute("TRUNCATE judgments, perceptions, idempotency_keys, state_counters")
        self.live: dict[str, JournalWriter] = {}
        self.written: dict[tuple[str, int], str] = {}  # every line whose bytes went out whole
        self.unsettled: dict[tuple[str, int], str] = {}  # appended, acknowledged, not settled
        self.doubt: dict[str, list[tuple[int, str]]] = {}  # writer → in-doubt (seq, id)
        self.closed_unsettled: dict[tuple[str, int], str] = {}  # of writers that are gone
        self.dead: set[str] = set()  # writers gone since their journals were last settled
        self.next_seq: dict[str, int] = {}
        self.counter = 0
        self.sync_checks = 0
        self.spawn()

    def teardown(self):
        if os.environ.get("CYNIC_CHURN_VERBOSE"):
            print(
                f"records {self.counter}, sync points checked {self.sync_checks}, live {len(self.live)}, "
                f"{time.monotonic() - self.began:.1f} s"
            )
        for writer in getattr(self, "live", {}).values():
            writer.close()
        if hasattr(self, "conn"):
            self.conn.close()
            self.observer.close()
            shutil.rmtree(self.home, ignore_errors=True)

    # -- the model's view of the disk ------------------------------------------------------------

    def check_images(self, images) -> None:
        """At every sync point: some images (a power loss now) start up and keep what they must.

        The model's own checks do not count against the watchdog of the step that reached this
        sync point: it times the journal operation (under a loaded machine the checks of one
        settling could take longer than the whole bound)."""
        self.sync_checks += 1
        left = signal.alarm(0)
        try:
            for variant in (VARIANTS[self.sync_checks % len(VARIANTS)], "dropped"):
                self.check_image(images[variant], what=f"power loss ({variant})")
        finally:
            if left:
                signal.alarm(left)

    def check_image(self, image: dict[Path, bytes], *, what: str) -> None:
        """Start-up (scan with repair) succeeds on the image, and it keeps what it must.

        Most sync points leave an image already seen (nothing new was synced since): start-up's
        result depends on the bytes alone, so each distinct image is started up once per example;
        what it must keep is checked every time, against the model as it is now."""
        digest = hashlib.blake2b()
        for path in sorted(image):
            digest.update(b"%d:%s%d:" % (len(str(path)), str(path).encode(), len(image[path])))
            digest.update(image[path])
        key = digest.digest()
        found = self.started.get(key)
        if found is None:
            root = scratch_dir("churn-image-")
            try:
                materialise(image, self.home, root)
                found = self.start_up(root)
            finally:
                shutil.rmtree(root)
            self.started[key] = found
        self.check_found(found, what)

    @staticmethod
    def start_up(home: Path) -> dict[tuple[str, int], str]:
        """{(journal, seq): id} of every record start-up finds (JournalCorrupt fails the test)."""
        found = {}
        for journal in list_journals(home / "journal"):
            for record in records(scan(journal, repair=True)):
                found[(journal.name, record.seq)] = record.id
        return found

    def check_found(self, found: dict[tuple[str, int], str], what: str) -> None:
        for where, rid in found.items():
            assert self.written.get(where, rid) == rid, f"{where} reused ({what})"
        for where, rid in self.unsettled.items():
            assert found.get(where) == rid, f"unsettled record {where} lost ({what})"
        missing = {rid for where, rid in self.closed_unsettled.items() if found.get(where) != rid}
        if missing:  # a settler may have committed them, then deleted their journal
            committed = {
                r[0]
                for r in self.observer.execute(
                    "SELECT judgment_id::text FROM judgments WHERE judgment_id = ANY(%s::uuid[])",
                    (list(missing),),
                )
            }
            assert missing <= committed, f"records of a closed journal neither on disk nor committed ({what})"

    def new_id(self) -> str:
        self.counter += 1
        return f"00000000-0000-4000-8000-{self.counter:012d}"

    def record(self, rid: str) -> dict:
        return {
            "judgment": {
                "judgment_id": rid,
                "cell": {"reality": "CODE", "analysis": "QUALITY", "time_dim": "PRESENT", "lod": 1},
                "verdict": "WAG",
                "q_score": 70.0,
                "consensus_reached": True,
                "dog_votes": {"CYNIC": 70.0},
                "confidence": 0.5,
            },
            "created_at": "2026-11-25T00:00:00+00:00",
            "pad": "x" * 200,
        }

    # -- rules -----------------------------------------------------------------------------------

    def pick(self, data) -> str:
        return data.draw(st.sampled_from(list(self.live)), label="writer")  # in spawn order: names are random

    @precondition(lambda self: len(self.live) < MAX_LIVE)
    @rule()
    def spawn(self):
        writer = JournalWriter(self.home / "journal", segment_bytes=SEGMENT_BYTES, fs=self.fs, clock=Clock())
        self.live[writer.name] = writer
        self.doubt[writer.name] = []
        self.next_seq[writer.name] = 1

    @precondition(lambda self: self.live)
    @rule(
        data=st.data(),
        outcomes=st.lists(st.sampled_from(["commit", "commit", "abort", "doubt"]), min_size=1, max_size=6),
    )
    def write(self, data, outcomes):
        name = self.pick(data)
        for outcome in outcomes:
            if name in self.live:  # a failed fsync ends the writer's process half-way
                self.write_one(name, outcome)

    def write_one(self, name, outcome):
        writer = self.live[name]
        rid = self.new_id()
        data = self.record(rid)
        with Watchdog():
            try:
                position = writer.append("judgment", rid, data)
            except JournalWriteFailed:
                return  # nothing journaled: the next check proves no half line stayed behind
            except JournalPoisoned:
                self.written[(name, self.next_seq[name])] = rid  # written; on disk or not, unknown
                self.gone(name)  # a failed fsync ends the process
                return
            except JournalError:
                if writer.poisoned is not None:
                    self.gone(name)
                return
        assert position.seq == self.next_seq[name], "a seq was skipped or reused"
        self.next_seq[name] += 1
        where = (name, position.seq)
        self.written[where] = rid
        self.unsettled[where] = rid
        if outcome == "commit":
            self.commit(writer, position.seq, rid, data)
        elif outcome == "abort":
            with Watchdog():
                try:
                    abort = writer.append("abort", rid, {"ref_seq": position.seq}, resolved=True)
                except JournalError:
                    self.doubt[name].append((position.seq, rid))  # as the service does: in doubt
                    if writer.poisoned is not None:
                        self.gone(name)
                    return
            assert abort.seq == self.next_seq[name]
            self.next_seq[name] += 1
            self.written[(name, abort.seq)] = rid
            del self.unsettled[where]
            writer.resolve([position.seq])
        else:
            self.doubt[name].append((position.seq, rid))

    def commit(self, writer, seq, rid, data):
        with self.conn.transaction():
            rows = record_rows(from_data("judgment", data), journal=writer.name, seq=seq, ts=0)
            repository.store_records(self.conn, [rows], node="n")
        del self.unsettled[(writer.name, seq)]
        with Watchdog():
            writer.resolve([seq])

    @precondition(lambda self: any(self.doubt[name] for name in self.live))
    @rule(data=st.data())
    def resolve_doubt(self, data):
        name = data.draw(st.sampled_from([n for n in self.live if self.doubt[n]]))
        writer = self.live[name]
        seq, rid = self.doubt[name].pop(0)
        self.commit(writer, seq, rid, self.record(rid))

    @rule()
    def disk_fills_or_empties(self):
        self.fs.full = not self.fs.full

    @rule()
    def next_fsync_fails(self):
        self.fs.fail_next_fsync = True

    def gone(self, name, *, torn: bytes = b""):
        writer = self.live.pop(name)
        self.dead.add(name)
        for where in list(self.unsettled):
            if where[0] == name:
                self.closed_unsettled[where] = self.unsettled.pop(where)
        segments = list_segments(writer.directory) if writer.directory.exists() else []
        if torn and segments:
            with open(segments[-1][1], "ab") as tail:  # killed in the middle of a write
                tail.write(torn)
        writer.close()

    @precondition(lambda self: self.live)
    @rule(data=st.data())
    def exits(self, data):
        self.gone(self.pick(data))

    @precondition(lambda self: self.live)
    @rule(data=st.data(), torn=st.binary(min_size=1, max_size=60))
    def killed_mid_line(self, data, torn):
        self.gone(self.pick(data), torn=b'{"crc":"' + torn)

    @precondition(lambda self: self.live)
    @rule(data=st.data())
    def recycled(self, data):
        self.gone(self.pick(data))
        self.spawn()

    @rule()
    def settle(self):
        live_bytes = {
            path: path.read_bytes()
            for w in self.live.values()
            if w.directory.exists()
            for path in w.directory.iterdir()
        }
        try:
            with Watchdog():
                settle_closed(self.conn, self.home, node="n", fs=self.fs)
            failed = None
        except OSError as exc:  # a full disk (a .broken copy, guidance.json): retried later
            failed = exc
        for path, data in live_bytes.items():
            assert path.exists() and path.read_bytes() == data, f"settling touched live {path}"
        on_disk = {j.name for j in list_journals(self.home / "journal")}
        stored = {
            r[0]
            for r in self.conn.execute(
                "SELECT judgment_id::text FROM judgments WHERE judgment_id = ANY(%s::uuid[])",
                (list(self.closed_unsettled.values()),),
            )
        }
        for where, rid in list(self.closed_unsettled.items()):
            if where[0] not in on_disk:
                assert rid in stored, f"settled record {where} missing from PostgreSQL"
                del self.closed_unsettled[where]
        if failed is None:
            assert on_disk <= set(self.live), (
                f"closed journals left after settling: {on_disk - set(self.live)}"
            )
            self.dead.clear()

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def what_is_on_disk_now_starts_up(self):
        if not hasattr(self, "fs"):
            return
        self.check_image(self.fs.image("everything"), what="kill -9")  # kill -9 of every process

    @invariant()
    def journal_directories_stay_bounded(self):
        if hasattr(self, "fs"):
            on_disk = {j.name for j in list_journals(self.home / "journal")}
            assert on_disk <= set(self.live) | self.dead, "a journal outlived its settling"


def test_journals_under_churn_keep_every_promise(database_url):
    JournalChurn.database_url = database_url
    run_state_machine_as_test(
        JournalChurn,
        settings=settings(
            max_examples=int(os.environ.get("CYNIC_CHURN_EXAMPLES", "100")),
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
