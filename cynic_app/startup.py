"""Opening a node: take CYNIC_HOME, migrate, settle every journal of the node, write the snapshot.

open_node is the one start-up sequence. It runs exactly once per node before any worker serves:
in gunicorn's master (gunicorn_conf.on_starting), in create_app when there is no master, and in
`cynic replay`.
"""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext

import psycopg
from filelock import FileLock

from . import binding
from .config import Config, ConfigError
from .durability.checkpoint import sync_checkpoint
from .durability.fsio import FS, OS_FS, remove_temporaries
from .durability.home import acquire_node_lock, no_writers, prepare_home
from .durability.settle import Settled, remove_unborn, replay_archive, settle_closed
from .errors import first_line
from .judgment.state import RECENT
from .store import pool as store_pool
from .store.migrations import MIGRATIONS, migrate, schema_version
from .store.repository import load_state, prune_idempotency_keys

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
    """Connect (autocommit), retrying until timeout_s; raise the last error when the time is up."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return store_pool.connect(url)
        except psycopg.OperationalError as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("database not reachable yet (%s); retrying", first_line(exc))
            time.sleep(1.0)


def open_node(
    config: Config, *, dry_run: bool = False, from_start: bool = False, fs: FS = OS_FS
) -> tuple[FileLock | None, Settled]:
    """Check the settings, prepare CYNIC_HOME, take its node lock and recover the node.

    Returns the node lock, which the caller holds for as long as it serves (None for a dry run,
    which takes no lock), and what recovery settled. On failure nothing is held.
    """
    url = require_database_url(config)
    prepare_home(config.home, fs=fs)
    lock = None if dry_run else acquire_node_lock(config.home)
    try:
        return lock, recover(config, url, dry_run=dry_run, from_start=from_start)
    except BaseException:
        if lock is not None:
            lock.release()
        raise


def replay(config: Config, *, dry_run: bool = False, from_start: bool = False) -> Settled:
    """Open the node and let go of it at once: `cynic replay`, a start-up that serves nothing."""
    lock, settled = open_node(config, dry_run=dry_run, from_start=from_start)
    if lock is not None:
        lock.release()
    return settled


def recover(config: Config, url: str, *, dry_run: bool = False, from_start: bool = False) -> Settled:
    """Bring PostgreSQL and guidance.json up to date with every journal of the node.

    The caller holds the node lock (open_node), so no writer of this home is alive (a dry run,
    which writes nothing, may run beside a live service: it then leaves live journals alone).
    from_start also re-applies every archived segment still kept (after restoring PostgreSQL from
    a backup).
    """
    with wait_for_database(url, timeout_s=config.startup_timeout_s) as conn:
        bound = binding.check(conn, config.home, url)  # before anything is written to it
        if not dry_run:
            migrate(conn)
            if bound is None:
                log.info("CYNIC_HOME %s now belongs to database %s", config.home, binding.describe(url))
                binding.bind(conn, config.home, url, embedded=config.database_embedded)
        elif schema_version(conn) < len(MIGRATIONS):
            raise ConfigError("the database schema is not up to date: run `cynic migrate` before a dry run")
        archive = config.archive()
        with nullcontext() if dry_run else no_writers(config.home, timeout_s=config.startup_timeout_s):
            if not dry_run:
                unborn = remove_unborn(config.home)
                if unborn:
                    log.info("removed %d journals whose writer died before writing", unborn)
                remove_temporaries(config.home)
            summary = settle_closed(
                conn, config.home, node=config.node, archive=archive, exclusive=not dry_run, dry_run=dry_run
            )
            if from_start:
                summary.add(replay_archive(conn, config.home, archive, node=config.node, dry_run=dry_run))
        if not dry_run:
            # Only now: a closed journal may hold a record in doubt whose key a retry on another
            # node claimed long ago; settling must find that claim to leave the record out.
            with conn.transaction():
                forgotten = prune_idempotency_keys(conn)
            if forgotten:
                log.info("forgot %d idempotency keys older than the retention period", forgotten)
        if summary.live and not dry_run:
            log.warning(
                "%d journals are still held by a process of an earlier run; each is settled when "
                "that process exits",
                summary.live,
            )
        if not dry_run:
            sync_checkpoint(config.home, load_state(conn, RECENT))
    log.log(logging.WARNING if summary.torn_bytes else logging.INFO, "start-up: %s", summary.line())
    return summary
