"""Reading JSON request bodies strictly: 415, 413, 400 and 422 are decided here."""

from __future__ import annotations

import json
import uuid

from flask import request

from .errors import ApiError


def json_object() -> dict:
    """Return the request body as a dict or raise the right ApiError."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send a JSON body with Content-Type: application/json")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # bad syntax, bad UTF-8, or absurdly deep
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(data, dict):
        raise ApiError(
            422,
            "validation_failed",
            "the body must be a JSON object",
            {"fields": {"body": "must be a JSON object"}},
        )
    return data


def flag(name: str) -> bool:
    """Read a boolean query parameter (true/false/1/0/yes/no)."""
    raw = request.args.get(name, "false").strip().lower()
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no", ""):
        return False
    raise ApiError(
        422,
        "validation_failed",
        f"query parameter {name} must be true or false",
        {"fields": {name: "must be true or false"}},
    )


def record_id(value: str, what: str) -> str:
    """Return value as a canonical UUID string, or 404 (an id that cannot exist is absent)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ApiError(404, "not_found", f"no {what} with id {value[:64]!r}") from None
