"""Every request: a request id (X-Request-ID honoured or made), one log line, and metrics.

The line names the client address: the peer's, or behind CYNIC_TRUSTED_PROXIES proxies the one
they forwarded (werkzeug's ProxyFix, applied in create_app). What the client chose is escaped
(``logs.printable``), so no request can write a line of its own into the log."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from .. import metrics
from ..logs import printable

log = logging.getLogger("cynic_app.access")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
#: The methods a metric label names; any other is ``other``. Every label takes its value from a
#: fixed set (these, route templates or ``unmatched``, status codes), so no client can add series.
METHOD_LABELS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def register(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        g.started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def finish(response: Response) -> Response:
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
        method_label = request.method if request.method in METHOD_LABELS else "other"
        metrics.requests.labels(endpoint, method_label, str(response.status_code)).inc()
        metrics.request_seconds.labels(endpoint).observe(seconds)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        client, method, path = (
            printable(v or "") for v in (request.remote_addr, request.method, request.path)
        )
        log.info(
            "%s %s %s %d %.1fms",
            client,
            method,
            path,
            response.status_code,
            seconds * 1000,
            extra={
                "request_id": g.get("request_id"),
                "client": client,
                "method": method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 3),
            },
        )
        return response

    @app.get("/metrics")
    def metrics_page():
        body, content_type = metrics.exposition()
        return Response(body, content_type=content_type)
