"""GET /: a small page to see why — paste or pick code, judge it, read the findings by line;
GET /j/<id>: the same page opened on a stored judgment (its permalink).

The page holds no data: everything it shows comes from the JSON API (POST /judge, a dry run
unless "store it" is ticked; GET /judge/<id>; GET /judge for the stored judgments; GET /state),
sent with the bearer token typed into it. So a permalink is open to anyone (auth.py), and what
it shows needs the token wherever the API does. The page renders every value as text
(textContent, never innerHTML), and its Content-Security-Policy allows only its own script and
style, so content under judgment cannot run in it.
"""

from __future__ import annotations

from flask import Blueprint, make_response, render_template

from ..judgment.cell import DEFAULT_MAX_CONTENT_CHARS, REALITIES
from ..judgment.dogs import LEVELS
from ..judgment.phi import VERDICTS
from .body import record_id

bp = Blueprint("page", __name__, template_folder="templates", static_folder="static", static_url_path="/page")

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@bp.get("/")
def index():
    return _page(judgment_id=None)


@bp.get("/j/<judgment_id>")
def permalink(judgment_id: str):
    """The page on one stored judgment; an id that cannot exist is a 404 without a page."""
    return _page(judgment_id=record_id(judgment_id, "judgment"))


def _page(*, judgment_id: str | None):
    html = render_template(
        "index.html",
        levels=list(LEVELS),
        realities=list(REALITIES),
        verdicts=list(VERDICTS),
        max_chars=DEFAULT_MAX_CONTENT_CHARS,
        judgment_id=judgment_id,
    )
    response = make_response(html)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
