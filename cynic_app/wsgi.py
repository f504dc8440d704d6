"""The WSGI entry point gunicorn imports in each worker, after the fork."""

from __future__ import annotations

from . import create_app
from .logs import configure_logging

configure_logging()
app = create_app()
