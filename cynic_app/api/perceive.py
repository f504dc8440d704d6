"""POST /perceive and GET /perceive/<id>."""

from __future__ import annotations

from flask import Blueprint

from . import present
from .body import dry_run_flag, idempotency_key, json_object, record_id, replay_headers
from .context import service
from .errors import ApiError
from .judge import valid
from .schema import PerceiveRequest

bp = Blueprint("perceive", __name__)


@bp.post("/perceive")
def post_perceive():
    body = json_object()
    asked = valid(PerceiveRequest, body)
    perception = asked.perception()
    dry_run = dry_run_flag()
    idempotency = idempotency_key(body, asked)  # validated always; a dry run stores nothing to key
    written = service().perceive(perception, dry_run=dry_run, idempotency=None if dry_run else idempotency)
    return present.perception(written.record, persisted=not dry_run), 200, replay_headers(written.replayed)


@bp.get("/perceive/<perception_id>")
def get_perceive(perception_id: str):
    found = service().get_perception(record_id(perception_id, "perception"))
    if found is None:
        raise ApiError(404, "not_found", f"no perception with id {perception_id}")
    return present.perception(found, persisted=True)
