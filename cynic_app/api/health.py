"""GET /health (the process answers) and GET /ready (it can persist right now)."""

from __future__ import annotations

import os

import psycopg
from flask import Blueprint, current_app
from psycopg_pool import PoolTimeout

bp = Blueprint("health", __name__)
READY_DB_TIMEOUT_S = 1.0


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
        with service.pool.connection(timeout=READY_DB_TIMEOUT_S) as conn:
            conn.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except (psycopg.Error, PoolTimeout) as exc:
        checks["database"] = {
            "ok": False,
            "error": str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
        }
    poisoned = service.journal.poisoned
    writable = os.access(service.journal.directory, os.W_OK)
    checks["journal"] = {
        "ok": poisoned is None and writable,
        "writable": writable,
        "error": str(poisoned) if poisoned else None,
    }
    unsettled = service.settle_pending() if checks["database"]["ok"] else None
    checks["in_doubt"] = {"ok": not unsettled, "unsettled": unsettled}
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ready" if ok else "not_ready", "checks": checks}
    headers = {} if ok else {"Retry-After": str(runtime.config.retry_after_s)}
    return body, 200 if ok else 503, headers
