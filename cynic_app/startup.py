"""Start-up recovery: migrate, replay the journal, rebuild guidance.json and the checkpoint.

Runs exactly once per node before any worker serves: in gunicorn's master (gunicorn.conf.py)
or, when there is no master, in create_app under the node lock.
"""

from __future__ import annotations

import logging
import time

import psycopg

from .config import Config, ConfigError
from .durability.compaction import checkpoint_position, compact
from .durability.guidance import GuidanceWriter
from .durability.journal import JournalCorrupt
from .durability.journal.segment import list_segments
from .durability.journal.writer import reset_sync_mark
from .durability.replay import ReplaySummary, replay
from .store import pool as store_pool
from .store.migrations import migrate
from .store.repository import prune_idempotency_keys

log = logging.getLogger(__name__)
#: Environment variable a gunicorn master sets to its pid once it has recovered the node.
RECOVERED_BY_ENV = "CYNIC_RECOVERED_BY"


def require_database_url(config: Config) -> str:
    if not config.database_url:
        raise ConfigError(
            "no database configured: set CYNIC_DATABASE_URL (or DATABASE_URL), "
            "or start with scripts/run, which starts an embedded PostgreSQL"
        )
    return config.database_url


def wait_for_database(url: str, *, timeout_s: float) -> psycopg.Connection:
    """Connect, retrying until timeout_s; raise the last error when the time is up."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return store_pool.connect(url)
        except psycopg.OperationalError as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("database not reachable yet (%s); retrying", str(exc).strip().splitlines()[0])
            time.sleep(1.0)


def recover(
    config: Config, *, dry_run: bool = False, from_start: bool = False, progress=None
) -> ReplaySummary:
    """Bring PostgreSQL, guidance.json and the checkpoint up to date with the journal.

    from_start ignores the checkpoint and re-applies every record still on disk (after restoring
    PostgreSQL from an older backup, say).
    """
    url = require_database_url(config)
    with wait_for_database(url, timeout_s=config.startup_timeout_s) as conn:
        if not dry_run:
            migrate(conn)
            with conn.transaction():
                forgotten = prune_idempotency_keys(conn)
            if forgotten:
                log.info("forgot %d idempotency keys older than the retention period", forgotten)
        after = 0 if from_start else checkpoint_position(config.home)
        segments = list_segments(config.journal_dir)
        if after and not segments:
            raise JournalCorrupt(
                config.journal_dir,
                0,
                f"no segments, but the checkpoint vouches for seq "
                f"{after}; restore the journal (or remove conscious_state.json)",
            )
        if not dry_run:
            reset_sync_mark(config.journal_dir)  # a crash may have cut bytes the mark vouched for
        summary = replay(
            conn, config.journal_dir, node=config.node, dry_run=dry_run, after_seq=after, progress=progress
        )
        if segments and summary.last_seq < after:
            raise JournalCorrupt(
                segments[-1][1],
                0,
                f"the journal ends at seq {summary.last_seq}, before the checkpoint's seq {after}",
            )
        if not dry_run:
            if summary.newest_judgment is not None:
                GuidanceWriter(config.home).write(*summary.newest_judgment)
            # Everything journaled is settled now: checkpoint it and drop the settled segments.
            compact(conn, config.home, config.journal_dir, all_settled_through=max(summary.last_seq, after))
    log.log(logging.WARNING if summary.torn_bytes else logging.INFO, "%s", summary.line())
    return summary
