"""The node an app serves: create_app attaches its Runtime, everything else asks for it here."""

from __future__ import annotations

from flask import Flask, current_app

from ..config import Config
from ..node.runtime import Runtime
from ..service import Service

EXTENSION = "cynic"


def attach(app: Flask, runtime: Runtime) -> None:
    app.extensions[EXTENSION] = runtime


def runtime_of(app: object) -> Runtime | None:
    """The runtime of app (a Flask app built by create_app); None for anything else (gunicorn's
    worker before it loaded the app)."""
    extensions = getattr(app, "extensions", None)
    return extensions.get(EXTENSION) if isinstance(extensions, dict) else None


def runtime() -> Runtime:
    """The runtime of the app handling this request."""
    return current_app.extensions[EXTENSION]


def config() -> Config:
    return runtime().config


def service() -> Service:
    return runtime().service()
