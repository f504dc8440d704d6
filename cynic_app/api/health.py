"""GET /health (the process answers) and GET /ready (it can persist right now: node/ready.py)."""

from __future__ import annotations

import os

from flask import Blueprint

from ..node.ready import readiness
from . import context

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    return {"status": "ok", "pid": os.getpid(), "node": context.config().node}


@bp.get("/ready")
def ready():
    runtime = context.runtime()
    ok, checks = readiness(runtime)
    body = {"status": "ready" if ok else "not_ready", "checks": checks}
    headers = {} if ok else {"Retry-After": str(runtime.config.retry_after_s)}
    return body, 200 if ok else 503, headers
