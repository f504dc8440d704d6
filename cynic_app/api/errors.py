"""Every error leaves as {"error": {"code", "message", "details"}} with the right status."""

from __future__ import annotations

import logging

import psycopg
from flask import Flask, jsonify
from psycopg_pool import PoolTimeout
from werkzeug.exceptions import HTTPException

from ..service import IdempotencyMismatch, PersistenceError
from . import context

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the API reports as is."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        self.status, self.code, self.message, self.details = status, code, message, details or {}
        super().__init__(message)


def error_response(status: int, code: str, message: str, details: dict | None = None, headers=None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    for name, value in headers or ():
        response.headers[name] = value
    return response


def _retry_after() -> list[tuple[str, str]]:
    return [("Retry-After", str(context.config().retry_after_s))]


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return error_response(exc.code or 500, code, exc.description or exc.name, headers=headers)

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(IdempotencyMismatch)
    def idempotency_mismatch(exc: IdempotencyMismatch):
        return error_response(
            422, "idempotency_key_reused", str(exc), {"fields": {"Idempotency-Key": str(exc)}}
        )

    @app.errorhandler(PersistenceError)
    def persistence(exc: PersistenceError):
        details = {"outcome": exc.outcome, "step": exc.step, **exc.ids}
        return error_response(503, "persistence_failed", str(exc), details, headers=_retry_after())

    @app.errorhandler(PoolTimeout)
    @app.errorhandler(psycopg.OperationalError)
    def database_down(exc: Exception):
        log.error("database unavailable for a read: %s", exc)
        return error_response(
            503, "database_unavailable", "the database is not reachable; retry later", headers=_retry_after()
        )

    @app.errorhandler(Exception)
    def internal(exc: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "internal error; see the service log")
