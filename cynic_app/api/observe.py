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
    # Each of these runs for every request: the objects behind Flask's proxies (request, g) are
    # looked up once per hook, and a metric's child per label values once per process
    # (docs/performance.md, "What the request path costs besides the judge").
    # A child keeps counting in its own process's files after a fork: prometheus_client checks the
    # pid at every update (its values.MultiProcessValue).
    children: dict[tuple, tuple] = {}

    @app.before_request
    def start() -> None:
        here = g._get_current_object()
        here.started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        here.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def finish(response: Response) -> Response:
        req, here = request._get_current_object(), g._get_current_object()
        seconds = time.perf_counter() - here.get("started", time.perf_counter())
        endpoint = req.url_rule.rule if req.url_rule is not None else "unmatched"
        method = req.method
        status = response.status_code
        labels = (endpoint, method if method in METHOD_LABELS else "other", status)
        counted = children.get(labels)
        if counted is None:  # bounded: every label takes its value from a fixed set (above)
            counted = children[labels] = (
                metrics.requests.labels(labels[0], labels[1], str(status)),
                metrics.request_seconds.labels(endpoint),
            )
        counted[0].inc()
        counted[1].observe(seconds)
        request_id = here.get("request_id")
        response.headers["X-Request-ID"] = request_id or ""
        client, method, path = (printable(v or "") for v in (req.remote_addr, method, req.path))
        log.info(
            "%s %s %s %d %.1fms",
            client,
            method,
            path,
            status,
            seconds * 1000,
            extra={
                "request_id": request_id,
                "client": client,
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
            },
        )
        return response

    @app.get("/metrics")
    def metrics_page():
        body, content_type = metrics.exposition()
        return Response(body, content_type=content_type)
