"""HTTP API: blueprints and the single place errors become JSON."""

from __future__ import annotations

from flask import Flask

from . import auth, errors, health, hosts, judge, observe, openapi, page, perceive, receive, state


def register(app: Flask) -> None:
    observe.register(app)  # first: its before_request runs before auth's, so 401s get an id too
    hosts.register(app)  # a name we do not answer to gets nothing else
    receive.register(app)  # a body that timed out is a 408 whoever sent it
    auth.register(app)
    for module in (judge, perceive, state, health, openapi, page):
        app.register_blueprint(module.bp)
    errors.register(app)
