"""POST /perceive and GET /perceive/<id>."""

from __future__ import annotations

from flask import Blueprint

from . import present
from .body import idempotency_key, json_object, record_id, replay_headers
from .errors import ApiError
from .judge import service, valid
from .schema import PerceiveRequest

bp = Blueprint("perceive", __name__)


@bp.post("/perceive")
def post_perceive():
    body = json_object()
    perception = valid(PerceiveRequest, body).perception()
    written = service().perceive(perception, idempotency=idempotency_key(body))
    return present.perception(written.record), 200, replay_headers(written.replayed)


@bp.get("/perceive/<perception_id>")
def get_perceive(perception_id: str):
    found = service().get_perception(record_id(perception_id, "perception"))
    if found is None:
        raise ApiError(404, "not_found", f"no perception with id {perception_id}")
    return present.perception(found)
