"""Bearer-token auth: when CYNIC_API_TOKEN is set, writes need it (and reads, with
CYNIC_PROTECT_READS=1). Health checks, the OpenAPI document and the page (GET /, its
permalinks /j/<id> and its files, which hold no data) stay open. Tokens are compared in constant time and
never logged."""

from __future__ import annotations

import hmac

from flask import Flask, request

from . import context
from .errors import error_response

OPEN_PATHS = ("/health", "/ready", "/openapi.json", "/")
#: The page's own files and its permalinks (the page holds no data; what it shows comes from the
#: API with a token).
OPEN_PREFIXES = ("/page/", "/j/")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def register(app: Flask) -> None:
    @app.before_request
    def authenticate():
        config = context.config()
        if not config.api_token or request.path in OPEN_PATHS or request.path.startswith(OPEN_PREFIXES):
            return None
        if request.method not in WRITE_METHODS and not config.protect_reads:
            return None
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), config.api_token.encode()):
            return None
        return error_response(
            401,
            "unauthorized",
            "send Authorization: Bearer <token>",
            headers=[("WWW-Authenticate", 'Bearer realm="cynic_app"')],
        )
