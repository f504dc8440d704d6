"""GET /: a small page to see why — paste or pick code, judge it, read the findings by line.

The page holds no data: everything it shows comes from the JSON API (POST /judge, a dry run
unless "store it" is ticked; GET /state), sent with the bearer token typed into it. It renders
every value as text (textContent, never innerHTML), and its Content-Security-Policy allows only
its own script and style, so content under judgment cannot run in it.
"""

from __future__ import annotations

from flask import Blueprint, make_response, render_template

from ..judgment.cell import DEFAULT_MAX_CONTENT_CHARS, REALITIES
from ..judgment.dogs import LEVELS

bp = Blueprint("page", __name__, template_folder="templates", static_folder="static", static_url_path="/page")

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@bp.get("/")
def index():
    html = render_template(
        "index.html", levels=list(LEVELS), realities=list(REALITIES), max_chars=DEFAULT_MAX_CONTENT_CHARS
    )
    response = make_response(html)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
