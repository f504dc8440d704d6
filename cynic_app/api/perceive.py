"""POST /perceive and GET /perceive/<id>."""

from __future__ import annotations

from flask import Blueprint

from . import present
from .body import json_object, record_id
from .errors import ApiError
from .judge import service

bp = Blueprint("perceive", __name__)


@bp.post("/perceive")
def post_perceive():
    return present.perception(service().perceive(json_object()))


@bp.get("/perceive/<perception_id>")
def get_perceive(perception_id: str):
    found = service().get_perception(record_id(perception_id, "perception"))
    if found is None:
        raise ApiError(404, "not_found", f"no perception with id {perception_id}")
    return present.perception(found)
