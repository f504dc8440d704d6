"""POST /judge, GET /judge (the stored judgments, a page at a time) and GET /judge/<id>."""

from __future__ import annotations

from flask import Blueprint

from . import present
from .body import dry_run_flag, idempotency_key, json_object, query_parameters, record_id, replay_headers
from .context import config, service
from .cursor import cursor
from .errors import ApiError
from .schema import JudgeRequest, JudgmentListQuery, M, parse

bp = Blueprint("judge", __name__)


def valid(model: type[M], body: dict) -> M:
    """body as model, checked against this node's limits; a 422 naming every bad field if not."""
    return parse(model, body, max_content_chars=config().max_content_chars)


@bp.post("/judge")
def post_judge():
    body = json_object()
    request = valid(JudgeRequest, body)
    dry_run = dry_run_flag()
    idempotency = idempotency_key(body, request)  # validated always; a dry run stores nothing to key
    if dry_run:
        idempotency = None
    written = service().judge(request.cell(), level=request.level, dry_run=dry_run, idempotency=idempotency)
    record = written.record
    return (
        present.judgment(record["judgment"], record["created_at"], persisted=not dry_run),
        200,
        replay_headers(written.replayed),
    )


@bp.get("/judge")
def list_judgments():
    query = valid(JudgmentListQuery, query_parameters())
    page = service().list_judgments(
        limit=query.limit, verdict=query.verdict, reality=query.reality, after=query.after()
    )
    return {
        "items": [present.summary(item) for item in page.items],
        "next_cursor": None if page.next is None else cursor(page.next),
    }


@bp.get("/judge/<judgment_id>")
def get_judge(judgment_id: str):
    found = service().get_judgment(record_id(judgment_id, "judgment"))
    if found is None:
        raise ApiError(404, "not_found", f"no judgment with id {judgment_id}")
    return present.judgment(found["judgment"], found["created_at"], persisted=True)
