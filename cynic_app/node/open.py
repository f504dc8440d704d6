"""Opening a node: take CYNIC_HOME, migrate, settle every journal of the node, write the snapshot.

``open_node`` is the one start-up sequence. It runs exactly once per node before any worker
serves: in gunicorn's master (``gunicorn_conf.on_starting``), in ``create_app`` when there is
no master, and in ``cynic replay`` (``settle_node``: open, settle, let go).
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

import psycopg

from ..config import Config
from ..durability.fsio import FS, OS_FS, remove_temporaries
from ..durability.journal.closed import remove_unborn
from ..settings import ConfigError
from ..store import pool
from ..store.migrations import MIGRATIONS, migrate, schema_version
from ..store.repository import prune_idempotency_keys
from . import binding
from .checkpoint import checkpoint
from .home import NodeLock, acquire_node_lock, no_writers, prepare_home
from .settle import Settled

log = logging.getLogger(__name__)


def require_database_url(config: Config) -> str:
    if not config.database_url:
        raise ConfigError(
            "no database configured: set CYNIC_DATABASE_URL (or DATABASE_URL), "
            "or start with scripts/run, which starts an embedded PostgreSQL"
        )
    return config.database_url


def connect(config: Config) -> psycopg.Connection:
    """A connection to the node's database (autocommit), waited for up to startup_timeout_s."""
    url = require_database_url(config)
    return pool.wait_for_database(url, timeout_s=config.startup_timeout_s, pgbouncer=config.pgbouncer)


def open_node(
    config: Config, *, dry_run: bool = False, from_start: bool = False, fs: FS = OS_FS
) -> tuple[NodeLock | None, Settled]:
    """Check the settings, prepare CYNIC_HOME, take its node lock and recover the node.

    Returns the node lock, which the caller holds for as long as it serves (None for a dry run,
    which takes no lock), and what recovery settled. On failure nothing is held.
    """
    require_database_url(config)
    prepare_home(config.home, fs=fs)
    lock = None if dry_run else acquire_node_lock(config.home)
    try:
        return lock, recover(config, dry_run=dry_run, from_start=from_start)
    except BaseException:
        if lock is not None:
            lock.release()
        raise


def adopt_database(config: Config) -> tuple[dict | None, str]:
    """Bind CYNIC_HOME to the configured database (``cynic adopt-database``), under the node
    lock: migrate it (which gives it an identity if it has none), record its identity. Return
    the binding before and the database's identity."""
    prepare_home(config.home)
    lock = acquire_node_lock(config.home)
    try:
        with connect(config) as conn:
            before = binding.read_binding(config.home)
            migrate(conn)
            found = binding.bind(conn, config.home, config.database_url, embedded=config.database_embedded)
    finally:
        lock.release()
    return before, found


def settle_node(config: Config, *, dry_run: bool = False, from_start: bool = False) -> Settled:
    """Open the node and let go of it at once: ``cynic replay``, a start-up that serves nothing."""
    lock, settled = open_node(config, dry_run=dry_run, from_start=from_start)
    if lock is not None:
        lock.release()
    return settled


def recover(config: Config, *, dry_run: bool = False, from_start: bool = False) -> Settled:
    """Bring PostgreSQL and guidance.json up to date with every journal of the node.

    The caller holds the node lock (open_node), so no writer of this home is alive (a dry run,
    which writes nothing, may run beside a live service: it then leaves live journals alone).
    from_start also applies every archived segment still kept again (after restoring PostgreSQL
    from a backup).
    """
    with connect(config) as conn:
        bound = binding.check(conn, config.home, config.database_url)  # before anything is written
        if not dry_run:
            migrate(conn)
            if bound is None:
                where = binding.describe(config.database_url)
                log.info("CYNIC_HOME %s now belongs to database %s", config.home, where)
                binding.bind(conn, config.home, config.database_url, embedded=config.database_embedded)
        elif schema_version(conn) < len(MIGRATIONS):
            raise ConfigError("the database schema is not up to date: run `cynic migrate` before a dry run")
        with nullcontext() if dry_run else no_writers(config.home, timeout_s=config.startup_timeout_s):
            if not dry_run:
                unborn = remove_unborn(config.home)
                if unborn:
                    log.info("removed %d journals whose writer died before writing", unborn)
                remove_temporaries(config.home)
            summary = checkpoint(conn, config, exclusive=not dry_run, from_start=from_start, dry_run=dry_run)
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
    log.log(logging.WARNING if summary.torn_bytes else logging.INFO, "start-up: %s", summary.line())
    return summary
