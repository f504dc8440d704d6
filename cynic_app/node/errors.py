"""Why a node refuses to open, and the exit status each reason ends a process with.

``refusal`` is the one map from an exception to an exit status and a one-line reason: the CLI
(``cli.py``) and gunicorn's master (``gunicorn_conf.py``) both end through it.

0 done · 1 verification found disagreement · 2 usage error (click's) · 3 a bad setting, an
unusable home or database · 4 a journal corrupt.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from ..durability.journal import JournalCorrupt
from ..errors import first_line
from ..settings import ConfigError

EXIT_VERIFY_FAILED = 1
EXIT_UNAVAILABLE = 3  # (2 is click's: a usage error)
EXIT_CORRUPT = 4


class NodeError(Exception):
    """The node cannot be used; the message is the one-line reason shown to the operator."""


class HomeUnusable(NodeError):
    """CYNIC_HOME cannot be used."""


class NodeBusy(NodeError):
    """Another cynic_app process already serves this CYNIC_HOME."""


class WritersAlive(NodeBusy):
    """Processes of an earlier run still write journals in this CYNIC_HOME."""


class DatabaseMismatch(NodeError):
    """CYNIC_HOME belongs to another database than the one configured."""


class RecordsRefused(NodeError):
    """PostgreSQL refuses a record of a closed journal (a constraint, a trigger of the
    operator's): the journal cannot be settled until the database accepts it."""


#: Where the operator reads what to do about a record the database refuses.
SEE_REFUSED = ". See docs/operations.md, 'A record the database refuses'."


@dataclass(frozen=True)
class Refusal:
    exit_code: int
    reason: str  # one line


def refusal(exc: BaseException) -> Refusal | None:
    """How a process that met exc opening or tending a node ends: exit status and one line.

    None when exc is no refusal (a bug): let it propagate, with its traceback.
    """
    if isinstance(exc, JournalCorrupt):
        return Refusal(EXIT_CORRUPT, f"{first_line(exc)}. See docs/operations.md, 'Corrupt journal'.")
    if isinstance(exc, RecordsRefused):
        return Refusal(EXIT_UNAVAILABLE, f"{first_line(exc)}{SEE_REFUSED}")
    if isinstance(exc, NodeBusy):
        return Refusal(
            EXIT_UNAVAILABLE, f"{first_line(exc)}; stop it first (it replays by itself at start-up)"
        )
    if isinstance(exc, NodeError | ConfigError):
        return Refusal(EXIT_UNAVAILABLE, first_line(exc))
    if isinstance(exc, psycopg.OperationalError):
        return Refusal(EXIT_UNAVAILABLE, f"database unreachable: {first_line(exc)}")
    return None
