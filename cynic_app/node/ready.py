"""Can this process persist right now? The checks ``GET /ready`` reports, each {"ok", …}.

Reading only: the records in doubt and the closed journals are the recovery timer's to resolve
and settle (``runtime.py``); here is what it last found.
"""

from __future__ import annotations

import os

import psycopg
from psycopg_pool import PoolTimeout

from ..errors import first_line
from ..store import repository
from ..store.deadline import bounded
from .runtime import Runtime

READY_DB_TIMEOUT_S = 1.0
#: How long the check waits for the locks a write takes (within READY_DB_TIMEOUT_S): a lock held
#: longer is a session holding the tables against writes, not a write's commit.
READY_LOCK_TIMEOUT_S = 0.5
#: guidance.json.lock is held for a replacement (milliseconds): longer means a holder that stalls.
READY_GUIDANCE_TIMEOUT_S = 1.0


def readiness(runtime: Runtime) -> tuple[bool, dict[str, dict]]:
    """(every check ok, the checks): recovery, database, journal, disk, guidance, in_doubt,
    closed_journals."""
    service = runtime.service()
    checks = {"recovery": {"ok": True, "finished_by": runtime.recovered_by}}
    try:
        with service.pool.connection(timeout=READY_DB_TIMEOUT_S) as conn, bounded(conn, READY_DB_TIMEOUT_S):
            repository.ping(conn, READY_LOCK_TIMEOUT_S, service.journal.name)
        checks["database"] = {"ok": True}
    except psycopg.errors.LockNotAvailable as exc:
        locked = f"what a write locks is held by another session: {first_line(exc)}"
        checks["database"] = {"ok": False, "error": locked}
    except (psycopg.Error, PoolTimeout) as exc:
        checks["database"] = {"ok": False, "error": first_line(exc)}
    poisoned = service.journal.poisoned
    root = service.journal.root
    writable = os.access(root, os.W_OK)
    checks["journal"] = {
        "ok": poisoned is None and writable,
        "writable": writable,
        "error": str(poisoned) if poisoned else None,
    }
    disk = os.statvfs(root)
    free = disk.f_bavail * disk.f_frsize
    checks["disk"] = {"ok": free >= 2 * runtime.config.max_body_bytes, "free_bytes": free}
    try:
        service.guidance.probe(READY_GUIDANCE_TIMEOUT_S)
        checks["guidance"] = {"ok": True}
    except OSError as exc:  # GuidanceBusy: writes would answer `written` until it is let go
        checks["guidance"] = {"ok": False, "error": first_line(exc)}
    doubt = service.in_doubt
    checks["in_doubt"] = {"ok": doubt == 0, "unsettled": doubt}
    checks["closed_journals"] = runtime.closed_journals()
    return all(check["ok"] for check in checks.values()), checks
