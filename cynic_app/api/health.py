"""GET /health (the process answers) and GET /ready (it can persist right now)."""

from __future__ import annotations

import logging
import os

import psycopg
from flask import Blueprint, current_app
from psycopg_pool import PoolTimeout

from ..durability.journal import JournalError
from ..errors import first_line
from ..store.deadline import bounded

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
READY_DB_TIMEOUT_S = 1.0
#: guidance.json.lock is held for a replacement (milliseconds): longer means a holder that stalls.
READY_GUIDANCE_TIMEOUT_S = 1.0


@bp.get("/health")
def health():
    runtime = current_app.extensions["cynic"]
    return {"status": "ok", "pid": os.getpid(), "node": runtime.config.node}


@bp.get("/ready")
def ready():
    runtime = current_app.extensions["cynic"]
    service = runtime.service()
    checks = {"recovery": {"ok": True, "finished_by": runtime.recovered_by}}
    try:
        with service.pool.connection(timeout=READY_DB_TIMEOUT_S) as conn, bounded(conn, READY_DB_TIMEOUT_S):
            conn.execute("SELECT 1")
        checks["database"] = {"ok": True}
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
    database_ok = checks["database"]["ok"]
    unsettled = service.resolve_doubt() if database_ok else None
    checks["in_doubt"] = {"ok": not unsettled, "unsettled": unsettled}
    checks["closed_journals"] = (
        _closed_journals(runtime) if database_ok else {"ok": False, "error": "no database"}
    )
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ready" if ok else "not_ready", "checks": checks}
    headers = {} if ok else {"Retry-After": str(runtime.config.retry_after_s)}
    return body, 200 if ok else 503, headers


def _closed_journals(runtime) -> dict:
    """Settle journals of processes that are gone; not ready while one cannot be settled."""
    try:
        settled = runtime.settle_closed_journals()
    except (psycopg.Error, PoolTimeout, OSError, JournalError) as exc:
        log.error("a closed journal could not be settled: %s", exc)
        return {"ok": False, "error": first_line(exc)}
    return {"ok": True, "settled_now": settled.journals}
