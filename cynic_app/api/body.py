"""Reading JSON request bodies and query strings strictly: 415, 413, 400 and 422 are decided here."""

from __future__ import annotations

import hashlib
import json
import uuid

from flask import request
from pydantic import BaseModel

from ..service import IdempotencyKey
from .errors import ApiError

MAX_IDEMPOTENCY_KEY_CHARS = 255
TRUE_VALUES = ("true", "1", "yes")
FALSE_VALUES = ("false", "0", "no")


def json_object() -> dict:
    """Return the request body as a dict or raise the right ApiError."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send a JSON body with Content-Type: application/json")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):  # JSON between systems is UTF-8 (RFC 8259, 8.1)
        raise ApiError(415, "unsupported_media_type", f"send the JSON body in UTF-8, not charset={charset}")
    coding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if coding != "identity":  # a body this node would read as the coding's bytes: refused, never guessed
        raise ApiError(
            415, "unsupported_media_type", f"send the body without Content-Encoding (not {coding})"
        )
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        data = decode_json(raw)
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


def _not_json(token: str):
    raise ValueError(f"{token} is not JSON")  # Python's json reads NaN and Infinity; JSON has neither


_DECODER = json.JSONDecoder(parse_constant=_not_json)


def decode_json(raw: bytes):
    """``json.loads(raw, parse_constant=_not_json)``, with one decoder for every request:
    json.loads makes a decoder per call when given an argument (docs/performance.md)."""
    return _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))


def flag(name: str) -> bool:
    """Read a boolean query parameter (true/false/1/0/yes/no; absent is false, empty is no value)."""
    raw = request.args.get(name)
    if raw is None:
        return False
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise ApiError(
        422,
        "validation_failed",
        f"query parameter {name} must be true or false",
        {"fields": {name: "must be true or false"}},
    )


def dry_run_flag() -> bool:
    """A write's one query parameter: dry_run, true or false, given once. Any other is a 422 that
    names it: a misspelt ``?dryrun=true`` or a bare ``?dry_run`` would otherwise store what the
    client meant as a preview, and nothing deletes a stored judgment."""
    unknown = {name: "unknown parameter" for name in query_parameters() if name != "dry_run"}
    if unknown:
        raise ApiError(422, "validation_failed", "the request has invalid fields", {"fields": unknown})
    return flag("dry_run")


def query_parameters() -> dict[str, str]:
    """Return the query string as {name: value}; a 422 names every parameter given twice."""
    repeated = {name: "must be given once" for name, values in request.args.lists() if len(values) > 1}
    if repeated:
        raise ApiError(422, "validation_failed", "the request has invalid fields", {"fields": repeated})
    return request.args.to_dict()


def record_id(value: str, what: str) -> str:
    """Return value as a canonical UUID string, or 404 (an id that cannot exist is absent)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ApiError(404, "not_found", f"no {what} with id {value[:64]!r}") from None


def idempotency_key(body: dict, asked: BaseModel) -> IdempotencyKey | None:
    """The request's Idempotency-Key with a fingerprint of what it asks for: its path and its
    body as validated (asked), so that a retry written by another serialiser ("code" for "CODE",
    2.0 for 2, a null for an absent field) is the same request; and the fingerprint of the body
    as sent, which keys stored by older nodes hold (IdempotencyKey.earlier)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_CHARS or not key.isprintable() or not key.isascii():
        raise ApiError(
            422,
            "validation_failed",
            "Idempotency-Key must be 1 to 255 printable ASCII characters",
            {"fields": {"Idempotency-Key": "must be 1 to 255 printable ASCII characters"}},
        )
    validated = asked.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return IdempotencyKey(key, _fingerprint(validated), earlier=_fingerprint(body))


def _fingerprint(document: object) -> str:
    canonical = json.dumps(
        [request.path, document], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def replay_headers(replayed: bool) -> dict:
    return {"Idempotent-Replayed": "true"} if replayed else {}
