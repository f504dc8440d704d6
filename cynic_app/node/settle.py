"""Settle closed journals: apply what PostgreSQL lacks, commit, then delete the journal.

A journal is *closed* when its writer is gone (``durability/journal/closed.py``). Settling one,
in this order — each step MUST finish before the next:

1. take the journal's lock (without waiting: if it is held, its writer lives or another process
   is settling it, and this one moves on);
2. verify it, cutting a torn tail (the original kept as ``.broken``); corruption stops here;
3. apply its unaborted records that PostgreSQL lacks, each batch COMMITted (``apply.py``);
4. offer its newest stored judgment to guidance.json (which keeps whichever is newer);
5. delete it: segments retired oldest first (into the archive, or deleted), ``.broken`` copies
   moved to ``CYNIC_HOME/broken/``, then the lock and the directory.

Who settles: start-up (``open.py``), the gunicorn master when a worker exits and when it stops
(``checkpoint.py``), ``cynic replay``/``cynic checkpoint``, and each worker's recovery timer
(``runtime.py``). They exclude each other through the journal's lock, so any of them may run at
any time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from .. import metrics
from ..durability.archive import Archive
from ..durability.fsio import FS, OS_FS
from ..durability.guidance import GuidanceWriter
from ..durability.journal.closed import LEGACY_NAME, claim, delete
from ..durability.journal.errors import JournalCorrupt, JournalError
from ..durability.journal.layout import has_legacy_segments, list_journals
from ..durability.journal.reader import ScanResult, scan
from ..errors import first_line
from .apply import Applied, apply_journal
from .errors import RecordsRefused

log = logging.getLogger(__name__)
#: The SQLSTATE classes in which PostgreSQL refuses a record itself, not the connection or the
#: schema: a value it rejects (22), a constraint (23), PL/pgSQL raising (P0: a trigger of the
#: operator's). The batch rolls back, the connection stays usable, the next journals are settled.
REFUSED_CLASSES = frozenset({"22", "23", "P0"})
#: What stops settling now and leaves the closed journals for the next attempt (a worker's
#: recovery timer, the master's next hook, the next start): the database or the disk failing, a
#: journal corrupt or refused. Who retries catches these, and lets anything else (a bug) through.
NOT_SETTLED = (psycopg.Error, OSError, JournalError, RecordsRefused)


@dataclass
class Settled(Applied):
    """What settling did: the records, and how many journals were settled or left alone."""

    journals: int = 0
    live: int = 0  # journals whose lock was held (their writer lives, or someone else settles them)
    torn_bytes: int = 0
    repaired: list[Path] = field(default_factory=list)
    dry_run: bool = False

    def line(self) -> str:
        mode = " (dry run: nothing written)" if self.dry_run else ""
        return (
            f"{self.journals} closed journals settled{mode}: {self.scanned} records scanned, "
            f"applied {self.applied}, already present {self.already_present}, aborted {self.aborted}, "
            f"superseded {self.superseded}, torn bytes repaired {self.torn_bytes}; "
            f"{self.live} journals live"
        )


def settle_closed(
    conn: psycopg.Connection,
    home: Path,
    *,
    node: str,
    guidance: GuidanceWriter | None = None,
    archive: Archive | None = None,
    exclusive: bool = False,
    dry_run: bool = False,
    fs: FS = OS_FS,
) -> Settled:
    """Settle every closed journal of home; journals still being written are left alone.

    exclusive: the caller holds the node lock (start-up, ``cynic replay``): no writer of this
    home is alive, so the format-1 journal in ``journal/`` itself is settled too.
    dry_run: verify without repairing and count what would be applied; write nothing.
    """
    root = Path(home) / "journal"
    guidance = guidance if guidance is not None or dry_run else GuidanceWriter(home, fs=fs)
    archive = archive or Archive(home, fs=fs)
    total = Settled(dry_run=dry_run)
    options = {
        "home": Path(home),
        "node": node,
        "guidance": guidance,
        "archive": archive,
        "dry_run": dry_run,
        "fs": fs,
    }
    failures: list[Exception] = []

    def settle(journal: Path, name: str) -> None:
        try:
            _settle_one(conn, journal, name, total, **options)
        except (JournalCorrupt, OSError) as exc:  # the next journals do not wait for this one
            log.error("journal %s not settled: %s", name, exc)
            failures.append(exc)
        except psycopg.DatabaseError as exc:  # nor for a record the database refuses
            if (exc.sqlstate or "")[:2] not in REFUSED_CLASSES:
                raise  # the connection or the schema: no journal can be settled now
            refused = RecordsRefused(
                f"journal {journal} not settled: the database refuses a record of it: {first_line(exc)}"
            )
            log.error("%s", refused)
            failures.append(refused)

    if exclusive and has_legacy_segments(root):
        settle(root, LEGACY_NAME)
    for journal in list_journals(root):
        with claim(journal, exclusive=exclusive) as closed:
            if not closed:
                total.live += 1
                continue
            settle(journal, journal.name)
    if failures:
        raise failures[0]
    return total


def _settle_one(
    conn, journal: Path, name: str, total: Settled, *, home, node, guidance, archive, dry_run, fs
) -> None:
    scanned: ScanResult = scan(journal, repair=not dry_run, fs=fs)
    applied = apply_journal(conn, scanned, journal=name, node=node, dry_run=dry_run)
    total.add(applied)
    total.journals += 1
    total.torn_bytes += scanned.torn_bytes
    total.repaired += scanned.repaired
    if dry_run:
        return
    metrics.replay_torn_bytes.inc(scanned.torn_bytes)
    for result in ("applied", "already_present", "aborted", "superseded"):
        metrics.replay_records.labels(result).inc(getattr(applied, result))
    newest = applied.newest_judgment()
    if newest is not None:
        guidance.write(*newest)
    delete(journal, name, Path(home), archive, fs=fs)
    log.info(
        "settled journal %s: %d records, %d applied, %d aborted, %d superseded",
        name,
        applied.scanned,
        applied.applied,
        applied.aborted,
        applied.superseded,
    )


def apply_archive(
    conn: psycopg.Connection, home: Path, archive: Archive, *, node: str, dry_run: bool = False
) -> Applied:
    """Apply again every archived record PostgreSQL lacks (after restoring it from a backup).

    Archived segments are settled and complete (fsynced before they were retired), so they are
    read, never repaired; the newest judgment stored is offered to guidance.json.
    """
    total = Applied()
    for journal in archive.journals():
        total.add(
            apply_journal(conn, scan(journal, repair=False), journal=journal.name, node=node, dry_run=dry_run)
        )
    newest = total.newest_judgment()
    if newest is not None and not dry_run:
        GuidanceWriter(home, fs=archive.fs).write(*newest)
    return total
