"""POST /judge and GET /judge/<id>."""

from __future__ import annotations

from flask import Blueprint, current_app

from . import present
from .body import flag, json_object, record_id
from .errors import ApiError

bp = Blueprint("judge", __name__)


def service():
    return current_app.extensions["cynic"].service()


@bp.post("/judge")
def post_judge():
    body = json_object()
    level = body.pop("level", None)
    dry_run = flag("dry_run")
    j, created_at = service().judge(body, level=level, dry_run=dry_run)
    return present.judgment(j, created_at, persisted=not dry_run)


@bp.get("/judge/<judgment_id>")
def get_judge(judgment_id: str):
    found = service().get_judgment(record_id(judgment_id, "judgment"))
    if found is None:
        raise ApiError(404, "not_found", f"no judgment with id {judgment_id}")
    return present.judgment(found["judgment"], found["created_at"], persisted=True)
