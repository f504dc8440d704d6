"""The OpenAPI 3.1 contract, served at GET /openapi.json and kept true by a schemathesis test.

Every body's schema is generated from its model: requests from the models that validate them
(schema.py), answers from responses.py; so are the query parameters of GET /judge. The paths,
the other parameters and the statuses are written here. The
content limit is the serving node's own (CYNIC_MAX_CONTENT_CHARS).
"""

from __future__ import annotations

import copy
from functools import cache
from importlib.metadata import version

from flask import Blueprint
from pydantic.json_schema import models_json_schema

from . import context, responses
from .body import FALSE_VALUES, TRUE_VALUES
from .schema import CONTENT_DESCRIPTION, MAX_LISTED_UNKNOWN, JudgeRequest, JudgmentListQuery, PerceiveRequest

bp = Blueprint("openapi", __name__)


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(description: str, ref: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _query_parameters(model) -> list[dict]:
    """One query parameter per field of model, its schema generated from the model (the null a
    model field may hold means "absent" in a query string, so it is left out)."""
    schema = model.model_json_schema()
    out = []
    for name, field in schema["properties"].items():
        outer = {k: v for k, v in field.items() if k not in ("title", "anyOf") and v is not None}
        (inner,) = [b for b in field.get("anyOf", [{}]) if b.get("type") != "null"]
        value = {**inner, **outer}
        description = value.pop("description", None)
        parameter = {
            "name": name,
            "in": "query",
            "required": name in schema.get("required", ()),
            "schema": value,
        }
        out.append({**parameter, "description": description} if description else parameter)
    return out


RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}}
UNAVAILABLE = {
    **_error("persistence unavailable; details.outcome says what happened to the write"),
    "headers": RETRY_AFTER,
}
BAD_HOST = "the Host header is not one this node answers to (code host_not_allowed; CYNIC_ALLOWED_HOSTS)"
WRITE_ERRORS = {
    "400": _error(f"the body is not JSON (code malformed_json), or {BAD_HOST}"),
    "401": _error("a bearer token is required"),
    "408": _error("the body did not arrive within CYNIC_BODY_TIMEOUT_S"),
    "413": _error("the body is too large"),
    "415": _error("the body is not application/json in UTF-8, or has a Content-Encoding"),
    "422": _error(
        f"invalid fields (each named in details.fields; at most {MAX_LISTED_UNKNOWN} unknown ones, all "
        "counted in details.unknown_fields), or a reused Idempotency-Key"
    ),
    "500": _error("internal error"),
    "503": {
        **UNAVAILABLE,
        "description": "persistence unavailable (details.outcome says what happened to the write), "
        "or the body is arriving slowly while this worker already waits for other slow bodies "
        "(code too_many_slow_bodies)",
    },
}
READ_ERRORS = {
    "400": _error(BAD_HOST),
    "401": _error("a bearer token is required"),
    "404": _error("no such record"),
    "500": _error("internal error"),
    "503": UNAVAILABLE,
}
IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "retry safely: the same key and body return the original answer",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
}
DRY_RUN = {
    "name": "dry_run",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": [*TRUE_VALUES, *FALSE_VALUES]},
}
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "present (true) when answered from an earlier request",
        "schema": {"type": "string", "enum": ["true"]},
    }
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "cynic_app",
        "version": version("cynic_app"),
        "description": "Judges content durably: a 200 means the judgment is journaled (fsynced), "
        "committed in PostgreSQL and named by guidance.json.",
    },
    "components": {
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "required for writes when CYNIC_API_TOKEN is set",
            }
        },
        "schemas": models_json_schema(
            [(model, "validation") for model in (JudgeRequest, PerceiveRequest, *responses.MODELS)],
            ref_template="#/components/schemas/{model}",
        )[1]["$defs"],
    },
    "security": [{}, {"bearer": []}],
    "paths": {
        "/judge": {
            "post": {
                "summary": "Judge content; 200 only once the judgment is durable",
                "parameters": [
                    IDEMPOTENCY,
                    {**DRY_RUN, "description": "judge and store nothing (persisted: false)"},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/JudgeRequest"}}
                    },
                },
                "responses": {
                    "200": {**_json("the durable judgment", "Judgment"), "headers": REPLAYED},
                    **WRITE_ERRORS,
                },
            },
            "get": {
                "summary": "The stored judgments, newest first, a page at a time (follow next_cursor)",
                "parameters": _query_parameters(JudgmentListQuery),
                "responses": {
                    "200": _json("a page of judgments", "JudgmentPage"),
                    "401": READ_ERRORS["401"],
                    "422": _error("invalid query parameters (each named in details.fields)"),
                    **{k: READ_ERRORS[k] for k in ("500", "503")},
                },
            },
        },
        "/judge/{judgment_id}": {
            "get": {
                "summary": "A stored judgment",
                "parameters": [
                    {"name": "judgment_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json("the judgment", "Judgment"), **READ_ERRORS},
            }
        },
        "/perceive": {
            "post": {
                "summary": "Record a perception (judged on arrival in the same transaction)",
                "parameters": [
                    IDEMPOTENCY,
                    {**DRY_RUN, "description": "judge it and store nothing (persisted: false)"},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/PerceiveRequest"}}
                    },
                },
                "responses": {
                    "200": {**_json("the durable perception", "Perception"), "headers": REPLAYED},
                    **WRITE_ERRORS,
                },
            }
        },
        "/perceive/{perception_id}": {
            "get": {
                "summary": "A stored perception",
                "parameters": [
                    {"name": "perception_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json("the perception", "Perception"), **READ_ERRORS},
            }
        },
        "/state": {
            "get": {
                "summary": "The ConsciousState (the same from every worker)",
                "responses": {
                    "200": _json("the state", "State"),
                    **{k: READ_ERRORS[k] for k in ("401", "500", "503")},
                },
            }
        },
        "/health": {
            "get": {
                "summary": "The process answers",
                "security": [{}],
                "responses": {"200": _json("alive", "Health")},
            }
        },
        "/ready": {
            "get": {
                "summary": "It can persist right now",
                "security": [{}],
                "responses": {
                    "200": _json("ready", "Ready"),
                    "503": {**_json("not ready", "Ready"), "headers": RETRY_AFTER},
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "responses": {
                    "200": {
                        "description": "text exposition format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "401": _error("a bearer token is required"),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [{}],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    },
}


@bp.get("/openapi.json")
def openapi_document():
    return document_for(context.config().max_content_chars)


#: What any request may be answered, whatever its operation: a Host this node does not answer
#: to (400), a body past the limit (413; a GET may carry one too), an internal error (500).
ANY_REQUEST = {
    "400": _error(BAD_HOST),
    "413": _error("the body is too large"),
    "500": _error("internal error"),
}


def _answers_any_request(document: dict) -> dict:
    """document with ANY_REQUEST's answers in every operation that does not state its own."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, answer in ANY_REQUEST.items():
                operation["responses"].setdefault(status, answer)
    return document


@cache
def document_for(max_content_chars: int) -> dict:
    """DOCUMENT with the content limit this node enforces."""
    doc = _answers_any_request(copy.deepcopy(DOCUMENT))
    for schema in _content_schemas(doc):
        schema["maxLength"] = max_content_chars
    return doc


def _content_schemas(node):
    """Every schema of the content field in a document (the models mark it by its description)."""
    if isinstance(node, dict):
        if node.get("description") == CONTENT_DESCRIPTION:
            yield node
        for value in node.values():
            yield from _content_schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _content_schemas(value)
