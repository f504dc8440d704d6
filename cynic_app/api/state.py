"""GET /state: the ConsciousState, read from PostgreSQL so every worker answers the same."""

from __future__ import annotations

from flask import Blueprint

from ..judgment.state import RECENT
from .context import service

bp = Blueprint("state", __name__)


@bp.get("/state")
def get_state():
    return service().state(RECENT)
