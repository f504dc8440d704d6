"""gunicorn settings and hooks. Recovery runs once, in the master, before any worker forks."""

from __future__ import annotations

import os
import sys

import psycopg

from cynic_app.config import Config, ConfigError
from cynic_app.durability.home import HomeUnusable, NodeBusy, acquire_node_lock, prepare_home
from cynic_app.durability.journal import JournalCorrupt
from cynic_app.logs import configure_logging
from cynic_app.startup import RECOVERED_BY_ENV, recover, require_database_url

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * (os.cpu_count() or 1) + 1, 9))
worker_class = "gthread"
threads = int(os.environ.get("CYNIC_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# gunicorn 27's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl), which
# two services (or a test run's many) would fight over; we do not use it.
control_socket_disable = True
# Each worker thread holds at most one connection; the pool never needs more.
os.environ.setdefault("CYNIC_POOL_MAX_SIZE", str(threads))

_node_lock = None


def on_starting(server) -> None:
    """Take the node, then replay the journal, before any worker exists."""
    global _node_lock
    configure_logging()
    try:
        config = Config.from_env()
        require_database_url(config)
        prepare_home(config.home)
        _node_lock = acquire_node_lock(config.home)
        recover(config)
    except (ConfigError, HomeUnusable, NodeBusy, JournalCorrupt, psycopg.OperationalError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"cynic_app: refusing to start: {reason}", file=sys.stderr)
        sys.exit(3)
    os.environ[RECOVERED_BY_ENV] = str(os.getpid())


def post_worker_init(worker) -> None:
    """A worker whose journal fsync failed finishes its requests and exits; the master replaces it."""

    def retire() -> None:
        worker.log.error(
            "journal fsync failed: retiring worker %s so a fresh one reopens the journal", worker.pid
        )
        worker.alive = False

    runtime = getattr(worker.wsgi, "extensions", {}).get("cynic")  # absent if the app failed to load
    if runtime is not None:
        runtime.on_journal_failure = retire


def on_exit(server) -> None:
    if _node_lock is not None:
        _node_lock.release()
