"""Logging for the CLI, gunicorn's master and its workers: plain lines, or JSON lines with
CYNIC_LOG_FORMAT=json. gunicorn's own loggers use the same configuration (gunicorn_conf)."""

from __future__ import annotations

import json
import logging
import logging.config
import os
from datetime import UTC, datetime

from . import settings

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("plain", "json")
PLAIN = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
#: Attributes a log record carries anyway; everything else passed in ``extra`` is output too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def printable(text: str) -> str:
    """Return text with backslashes and unprintable characters escaped (``\\n``, ``\\x1b``, ``\\u2028``).

    For what a client chose (a path, a forwarded address): in a log line it must not start a
    line of its own or drive the terminal that displays it.
    """
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(
        c if c.isprintable() and c != "\\" else c.encode("unicode_escape").decode("ascii") for c in text
    )


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, pid, message, and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def logging_config() -> dict:
    """A dictConfig for our loggers and gunicorn's, in the format CYNIC_LOG_FORMAT asks for.

    Raises ConfigError for a level or format it does not know (never a dictConfig traceback)."""
    level = settings.choice(os.environ, "CYNIC_LOG_LEVEL", "INFO", LEVELS)
    json_lines = settings.choice(os.environ, "CYNIC_LOG_FORMAT", "plain", FORMATS) == "json"
    formatter = {"()": JsonFormatter} if json_lines else {"format": PLAIN}
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"stderr": handler},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            # Requests are logged once, by the app (with their request id); not by gunicorn too.
            "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
            "psycopg.pool": {"level": "WARNING"},
        },
    }


def configure_logging() -> None:
    logging.config.dictConfig(logging_config())
