"""guidance.json: the node's latest advice, replaced atomically and never moved backwards.

Invariants: any reader at any instant parses a complete JSON document (atomic_write); the
judgment it names is never older than one it named before, in the node's record order
(``Position``: ts, journal, seq — compared under ``guidance.json.lock`` before replacing); and
a writer returns only once the file *durably* names its judgment or a newer one: when it finds
a newer one there, it fsyncs the directory before trusting it, since the process that renamed
it may have died (or failed) before making the rename durable.

Waiting for the lock is bounded (a process that holds it and does not go on — a `cynic
checkpoint` stopped with Ctrl-Z — must not hang every write): past the caller's bound a write
raises GuidanceBusy, a TimeoutError, so callers treat it as the I/O failure it is.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from .. import metrics
from ..judgment.cell import state_key_of
from .fsio import FS, OS_FS, install, remove_temporary, write_temporary
from .journal.clock import Clock, Position
from .locks import HeldLock

FILE_NAME = "guidance.json"
LOCK_NAME = "guidance.json.lock"
#: How long a write waits for the lock when its caller names no bound (settling journals).
LOCK_TIMEOUT_S = 5.0
log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """guidance.json's next version naming the judgment at position, written and fsynced beside
    it under a temporary name (``GuidanceWriter.prepare``); nobody reads it until installed.
    When writing it failed, ``error`` says how and there is no file: a write that has to
    replace guidance.json raises it (it does not try again), one that finds a newer judgment
    named already needs no file."""

    position: Position
    tmp: Path | None
    error: OSError | None = None
    taken: bool = False  # handed to install (which removes it itself if the rename fails)


class GuidanceBusy(TimeoutError):
    """guidance.json.lock stayed held elsewhere for longer than the writer could wait."""


def guidance_for(judgment: dict, position: Position) -> dict:
    """Return the guidance document for a judgment dict (as produced by Judgment.to_dict)."""
    cell = judgment["cell"]
    return {
        "timestamp": datetime.now(UTC).isoformat(),
        "judgment_id": judgment["judgment_id"],
        "state_key": state_key_of(cell),
        "verdict": judgment["verdict"],
        "q_score": judgment["q_score"],
        "confidence": judgment["confidence"],
        "reality": cell["reality"],
        "dog_votes": judgment["dog_votes"],
        "ts": position.ts,
        "journal": position.journal,
        "journal_seq": position.seq,
    }


def encode(doc: dict) -> bytes:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def position_of(doc: dict) -> Position:
    """The position a guidance document names (format 1 had no ts or journal: it sorts first)."""
    return Position(int(doc.get("ts", 0)), str(doc.get("journal", "")), int(doc.get("journal_seq", 0)))


class GuidanceWriter:
    """Writes guidance.json for one CYNIC_HOME; safe across threads and processes.

    Writes are coalesced: while one thread of the process replaces the file, the others wait,
    and the next replacement names the newest judgment any of them brought. A caller returns
    once the file durably names its judgment *or a newer one* — which is all it needs.
    """

    def __init__(self, home: Path, *, fs: FS = OS_FS, clock: Clock | None = None):
        self.path = Path(home) / FILE_NAME
        self.fs = fs
        self.clock = clock or Clock()
        self._lock = HeldLock(Path(home) / LOCK_NAME)
        self.lock_timeout_s = LOCK_TIMEOUT_S
        self._group = threading.Condition()
        self._writing = False
        self._newest: tuple[Position, dict] | None = None  # the newest judgment waiting to be named
        self._durable: Position | None = None  # guidance.json durably names this or a newer one
        self.writes = 0

    def prepare(self, judgment: dict, position: Position) -> Prepared:
        """Write the version of guidance.json that names this judgment, under a temporary name
        beside it (fsynced), to be installed by ``write(..., prepared=)`` once the judgment is
        committed: the write path does this while its transaction runs. Raise OSError as
        atomic_write does (nothing is left behind)."""
        return Prepared(position, self._temporary(judgment, position))

    def discard(self, prepared: Prepared | None) -> None:
        """Remove a prepared version that will not be installed (one that failed: say so).
        Never raises: a temporary file that cannot be removed is invisible to readers, said in
        a warning, and removed at the next start-up (remove_temporaries)."""
        if prepared is None:
            return
        if prepared.error is not None:
            log.warning("guidance.json's version for %s not written: %s", prepared.position, prepared.error)
        elif prepared.tmp is not None:
            try:
                remove_temporary(prepared.tmp, fs=self.fs)
            except OSError as exc:
                log.warning("guidance.json's unused version %s not removed: %s", prepared.tmp, exc)

    def write(
        self,
        judgment: dict,
        position: Position,
        *,
        timeout_s: float | None = None,
        prepared: Prepared | None = None,
    ) -> bool:
        """Return once guidance.json durably names this judgment or a newer one.

        True when this call replaced the file, False when a newer judgment was already named
        (or was named by the replacement another thread made for it). Raise GuidanceBusy when
        that is not done within timeout_s (lock_timeout_s when None). ``prepared`` (from
        ``prepare``) is installed instead of writing the file when it names exactly what this
        call is to name; otherwise it is removed.
        """
        try:
            return self._write(judgment, position, timeout_s, prepared)
        finally:
            if prepared is not None and not prepared.taken:
                self.discard(prepared)  # not installed: superseded, or a failure on the way

    def _write(
        self, judgment: dict, position: Position, timeout_s: float | None, prepared: Prepared | None
    ) -> bool:
        bound_s = self.lock_timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + bound_s
        with self._group:
            if self._newest is None or position > self._newest[0]:
                self._newest = (position, judgment)
            while self._durable is None or self._durable < position:
                if not self._writing:
                    self._writing = True
                    leading, newest = self._newest
                    self._newest = None
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise GuidanceBusy(
                        f"guidance.json not replaced within {bound_s:.2f} s: {LOCK_NAME} is held"
                    )
                self._group.wait(remaining)
            else:
                metrics.guidance_skips.inc()
                return False
        named = None
        try:
            usable = prepared if prepared is not None and prepared.position == leading else None
            named, replaced = self._replace(newest, leading, deadline, bound_s, usable)
        finally:
            with self._group:
                if named is not None:
                    self._durable = named if self._durable is None else max(self._durable, named)
                elif self._newest is None or leading > self._newest[0]:
                    self._newest = (leading, newest)  # not written: let the next leader try it
                self._writing = False
                self._group.notify_all()
        return replaced and leading == position

    def catch_up(self) -> None:
        """Make the clock's next stamps newer than the judgment guidance.json names.

        Another process may have named a judgment stamped by a clock ahead of this one's (or
        this one was stepped back since): a record stamped below it would be acknowledged and
        never named. Read without the lock: the file is only ever replaced whole.
        """
        current = read_guidance(self.path)
        if current is not None:
            self.clock.observe(position_of(current).ts)

    def _temporary(self, judgment: dict, position: Position) -> Path:
        return write_temporary(self.path, encode(guidance_for(judgment, position)), fs=self.fs)

    def probe(self, timeout_s: float) -> None:
        """Raise GuidanceBusy unless the lock can be taken within timeout_s (for /ready)."""
        if not self._lock.acquire(timeout_s):
            raise GuidanceBusy(f"{LOCK_NAME} not taken within {timeout_s:.2f} s: another process holds it")
        self._lock.release()

    def _replace(
        self, judgment: dict, position: Position, deadline: float, bound_s: float, prepared: Prepared | None
    ) -> tuple[Position, bool]:
        """Under the file lock, name judgment unless the file names a newer one (installing
        prepared, which names it, when given); return (the position the file now durably
        names, whether it was replaced)."""
        if not self._lock.acquire(max(0.0, deadline - time.monotonic())):
            raise GuidanceBusy(f"{LOCK_NAME} not taken within {bound_s:.2f} s: another process holds it")
        try:
            current = read_guidance(self.path)
            if current is not None:
                named = position_of(current)
                self.clock.observe(named.ts)
                if named >= position:
                    self.fs.fsync_dir(self.path.parent)  # its renamer may not have
                    metrics.guidance_skips.inc()
                    return named, False
            if prepared is not None:
                prepared.taken = True  # installed below, or its error goes up to the caller
                if prepared.error is not None:
                    raise prepared.error  # writing it failed, and it is needed: as atomic_write would
                tmp = prepared.tmp
            else:
                tmp = self._temporary(judgment, position)
            install(tmp, self.path, fs=self.fs)
            self.writes += 1
            metrics.guidance_writes.inc()
            return position, True
        finally:
            self._lock.release()


def read_guidance(path: Path) -> dict | None:
    """Return the parsed guidance document, or None when there is none yet."""
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except ValueError as exc:  # only a hand edit can do this: writes are atomic
        log.warning("guidance file %s is not JSON (%s); it will be rewritten", path, exc)
        return None
