"""Logging set-up shared by the CLI, gunicorn's master and its workers."""

from __future__ import annotations

import logging
import os

FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


def configure_logging() -> None:
    """Log to stderr at CYNIC_LOG_LEVEL (default INFO); idempotent."""
    level = os.environ.get("CYNIC_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, format=FORMAT)
    logging.getLogger("psycopg.pool").setLevel(max(logging.getLevelName(level), logging.WARNING))
