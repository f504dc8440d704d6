"""The answers gunicorn writes itself, in the API's JSON instead of gunicorn's HTML page.

gunicorn refuses what it cannot parse before the app sees a request — control characters in a
header or a malformed request line (400), a request line over 4094 bytes (414), over 100
header fields or one over 8190 bytes (431), an unknown transfer coding (501) — through its
worker's ``handle_error``, which classifies the error, logs it (``Invalid request from ip=…``)
and writes an HTML page. ``JsonErrors`` lets gunicorn do all of that, keeps the page it wrote
(only its status line is read) and sends ``{"error": {"code", "message", "details"}}`` instead.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from gunicorn import util
from gunicorn.workers.sync import SyncWorker

from .logs import printable


def error_answer(status: int, message: str) -> bytes:
    """A whole HTTP/1.1 answer carrying the API's error shape, dated (RFC 9110 §6.6.1); the
    connection closes after it."""
    phrase = HTTPStatus(status).phrase
    code = "_".join(phrase.lower().replace("-", " ").split())
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()
    head = (
        f"HTTP/1.1 {status} {phrase}\r\nDate: {util.http_date()}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _Captured:
    """Stands in for the client socket while gunicorn writes its HTML error: keeps the bytes."""

    def __init__(self):
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0

    def setblocking(self, _flag) -> None:
        return None

    def sendall(self, data: bytes) -> None:
        self.data += data

    def status(self) -> int | None:
        parts = self.data.split(b" ", 2)
        return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None


class JsonErrors:
    """Worker mixin: gunicorn classifies the error, logs it and picks the status; the answer
    is the API's JSON instead of gunicorn's HTML page."""

    def handle_error(self, req, client, addr, exc) -> None:
        captured = _Captured()
        super().handle_error(req, captured, addr, exc)
        status = captured.status()
        if status is None:  # gunicorn wrote nothing: neither do we
            return
        message = "internal error; see the service log" if status == 500 else printable(str(exc))[:300]
        try:
            util.write_nonblock(client, error_answer(status, message))
        except OSError as exc_write:  # the client is gone: nobody is left to answer
            self.log.debug("error answer not sent: %s", exc_write)


class JsonErrorsSyncWorker(JsonErrors, SyncWorker):
    """gunicorn's sync worker with JSON error answers (it reads heads as gunicorn does)."""
