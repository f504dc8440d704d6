"""The Host header: answer only under the names CYNIC_ALLOWED_HOSTS allows (config.py says the
default). A browser sends the name it resolved; a page on another site that rebinds its own name
to 127.0.0.1 therefore reaches a developer's node under that name, and is refused here."""

from __future__ import annotations

from flask import Flask, request

from ..logs import printable
from . import context
from .errors import error_response


def host_name(header: str) -> str:
    """The name of a Host header without its port, lower-cased, without a trailing dot."""
    value = header.strip().lower()
    if value.startswith("["):
        name = value[: value.find("]") + 1] or value
    else:
        name, sep, port = value.rpartition(":")
        if not sep or not port.isdigit():
            name = value
    return name.rstrip(".")


def register(app: Flask) -> None:
    @app.before_request
    def check_host():
        allowed = context.config().allowed_hosts
        header = request.environ.get("HTTP_HOST")
        # No Host at all (HTTP/1.0, HAProxy's health check): no browser sends that.
        if allowed is None or header is None or host_name(header) in allowed:
            return None
        return error_response(
            400,
            "host_not_allowed",
            f"this node does not answer to the host {printable(header)[:100]!r}; see CYNIC_ALLOWED_HOSTS",
        )
