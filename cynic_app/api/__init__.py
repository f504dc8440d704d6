"""HTTP API: blueprints and the single place errors become JSON."""

from __future__ import annotations

from flask import Flask

from . import errors, health, judge, perceive, state


def register(app: Flask) -> None:
    for module in (judge, perceive, state, health):
        app.register_blueprint(module.bp)
    errors.register(app)
