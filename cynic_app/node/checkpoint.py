"""A checkpoint: settle the node's closed journals, then write its snapshot — the one sequence.

``conscious_state.json`` is a durable snapshot of the node's ConsciousState, for operators,
written atomically by ``checkpoint``: at start-up (``open.py``), when the gunicorn master stops,
and by ``cynic checkpoint``. Recovery never reads it: since journals are per writer and delete
themselves once settled, there is no journal position left to vouch for (format 1 carried one;
it is ignored).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import psycopg

from ..config import Config
from ..durability.fsio import FS, OS_FS, atomic_write
from ..errors import first_line
from ..judgment.state import RECENT, ConsciousState
from ..store import pool
from ..store.repository import load_state
from .home import archive_of
from .settle import NOT_SETTLED, Settled, apply_archive, settle_closed

FILE_NAME = "conscious_state.json"
FORMAT = 2
READABLE = (1, 2)


class CheckpointUnreadable(Exception):
    """conscious_state.json exists but is not a checkpoint this version can read."""


def sync_checkpoint(home: Path, state: ConsciousState, *, fs: FS = OS_FS) -> Path:
    """Write the snapshot of state, durably, and return its path."""
    path = Path(home) / FILE_NAME
    doc = {"format": FORMAT, "state": state.to_dict()}
    atomic_write(path, json.dumps(doc, separators=(",", ":")).encode() + b"\n", fs=fs)
    return path


def load_from_checkpoint(home: Path) -> ConsciousState:
    """Return the state in the snapshot; an empty state when there is none."""
    path = Path(home) / FILE_NAME
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        return ConsciousState()
    except ValueError as exc:
        raise CheckpointUnreadable(f"{path} is not JSON: {exc}") from exc
    if doc.get("format") not in READABLE:
        raise CheckpointUnreadable(f"{path} has format {doc.get('format')!r}, expected one of {READABLE}")
    return ConsciousState.from_dict(doc["state"])


def checkpoint(
    conn: psycopg.Connection,
    config: Config,
    *,
    snapshot: bool = True,
    exclusive: bool = False,
    from_start: bool = False,
    dry_run: bool = False,
    fs: FS = OS_FS,
) -> Settled:
    """Settle every closed journal of the node (from_start: apply the archive again too), then
    write the snapshot (unless snapshot is False or this is a dry run).

    exclusive: the caller holds the node lock and writers.lock (start-up, ``cynic replay``).
    """
    archive = archive_of(config, fs=fs)
    settled = settle_closed(
        conn, config.home, node=config.node, archive=archive, exclusive=exclusive, dry_run=dry_run, fs=fs
    )
    if from_start:
        settled.add(apply_archive(conn, config.home, archive, node=config.node, dry_run=dry_run))
    if snapshot and not dry_run:
        sync_checkpoint(config.home, load_state(conn, RECENT), fs=fs)
    return settled


def checkpoint_now(config: Config, why: str, *, snapshot: bool, log: logging.Logger) -> None:
    """checkpoint, never raising and never waiting long (one connection attempt): for the
    gunicorn master's hooks, which run in its main loop. What cannot be settled now (the
    database is down) stays closed on disk for the workers' recovery timers, or the next start."""
    try:
        with pool.wait_for_database(config.database_url, timeout_s=0, pgbouncer=config.pgbouncer) as conn:
            settled = checkpoint(conn, config, snapshot=snapshot)
    except NOT_SETTLED as exc:
        log.warning("closed journals not settled at %s (retried later): %s", why, first_line(exc))
        return
    if settled.journals:
        log.info("%s: %s", why, settled.line())
