"""cynic_app: a judgment service that never answers 200 before the judgment is durable.

``create_app`` (app.py) is imported on first use, so that importing a part of the package (the
judge, ``cynic judge``) does not load Flask, psycopg and the service.
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
