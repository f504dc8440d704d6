"""gunicorn settings and hooks. Recovery runs once, in the master, before any worker forks."""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile

from cynic_app import metrics
from cynic_app.api.context import runtime_of
from cynic_app.config import OPENED_BY_ENV, Config, ConfigError
from cynic_app.logs import configure_logging, logging_config
from cynic_app.node.checkpoint import checkpoint_now
from cynic_app.node.errors import EXIT_UNAVAILABLE, refusal
from cynic_app.node.open import open_node
from cynic_app.serving import choose_cpu, pin_to_cpu, repin_after_exit
from cynic_app.settings import writable_directory


def _refuse(reason: str, code: int = EXIT_UNAVAILABLE) -> None:
    print(f"cynic_app: refusing to start: {reason}", file=sys.stderr)
    if _own_metrics_dir is not None:
        shutil.rmtree(_own_metrics_dir, ignore_errors=True)
    sys.exit(code)


_own_metrics_dir: str | None = None  # the metrics directory this master made (and removes)

try:  # a bad setting stops the master here, before it binds: one line, exit 3
    _config = Config.from_env()
    _server = _config.server
    logconfig_dict = logging_config()
    if os.environ.get(metrics.MULTIPROC_ENV):
        writable_directory(os.environ, metrics.MULTIPROC_ENV)
except ConfigError as exc:
    _refuse(str(exc))

bind = _server.bind
workers = _server.workers
worker_class = _server.worker_class_path  # gunicorn's, reading heads first (worker.py)
logger_class = "cynic_app.worker.QuietAccessLogger"
threads = _server.threads
timeout = 30
graceful_timeout = 20
keepalive = 5
# Worker RSS grows under multi-process load (scripts/bench: about 1 KB per request in the busiest
# worker; Python-level allocations stay flat, so it is native). Recycling a worker after this
# many requests bounds it; a worker stops gracefully, and the next one reopens the journal.
max_requests = _server.max_requests
max_requests_jitter = max_requests // 10
# gunicorn 27's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl), which
# two services (or a test run's many) would fight over; we do not use it.
control_socket_disable = True

_node_lock = None


def on_starting(server) -> None:
    """Give the workers a metrics directory, take the node and settle every journal it has,
    before any worker exists (the workers inherit this environment)."""
    global _node_lock, _own_metrics_dir
    configure_logging()
    if not os.environ.get(metrics.MULTIPROC_ENV):
        # prometheus_client reads it once, when first imported: in each worker, after the fork
        # (cynic_app/metrics.py imports it only then), so every worker writes its samples here.
        _own_metrics_dir = tempfile.mkdtemp(prefix="cynic-metrics-")
        os.environ[metrics.MULTIPROC_ENV] = _own_metrics_dir
    try:
        _node_lock, _settled = open_node(_config)
    except Exception as exc:
        refused = refusal(exc)
        if refused is None:
            raise  # a bug: its traceback, not a one-line reason
        _refuse(refused.reason, refused.exit_code)
    os.environ[OPENED_BY_ENV] = str(os.getpid())  # each worker's Config.from_env reads it


def pre_fork(server, worker) -> None:
    choose_cpu(server, worker, _server.pin_workers)


def post_fork(server, worker) -> None:
    pin_to_cpu(server, worker)


def post_worker_init(worker) -> None:
    """Open the worker's resources now, with its recovery timer (node/runtime.py), so that
    recovery never waits for a first request. A worker whose journal failed finishes its
    requests and exits; the master settles its journal and starts a fresh worker with a new one."""

    def retire() -> None:
        worker.log.error("journal fsync failed: retiring worker %s; its journal will be settled", worker.pid)
        worker.alive = False

    runtime = runtime_of(getattr(worker, "wsgi", None))  # None: the app was never loaded
    if runtime is not None:
        runtime.on_journal_failure = retire
        runtime.service()
    # What the worker holds from now on (modules, the app, its pools) lives as long as the worker:
    # moved out of the collector's generations, a full collection no longer walks it. Measured in
    # one process under load (docs/performance.md): a full collection 29-42 ms before, 7 ms after,
    # every collection stopping all of the worker's threads while it runs. What loading left
    # behind (argparse's and logging's cycles: some 560 objects) is collected first, not frozen.
    gc.collect()
    gc.freeze()


def child_exit(server, worker) -> None:
    """A worker is gone, so its journal is closed: settle it now, not at the next restart.

    A worker that ran free because there were more workers than CPUs is pinned once there are
    no more (``repin_after_exit``).

    Runs in the master's main loop: nothing here may raise, or the master dies with it.
    """
    repin_after_exit(server, _server.pin_workers)
    try:
        metrics.mark_process_dead(worker.pid)
    except (OSError, ValueError) as exc:
        server.log.error("metrics of worker %s not folded (its samples may be lost): %s", worker.pid, exc)
    checkpoint_now(_config, "worker exit", snapshot=False, log=server.log)


def worker_exit(server, worker) -> None:
    """Graceful stop: in-flight requests are done; close this worker's pool and journal."""
    runtime = runtime_of(getattr(worker, "wsgi", None))  # None: the app was never loaded
    if runtime is not None:
        runtime.close()


def on_exit(server) -> None:
    """Every worker has exited: settle their journals, write the snapshot, then let go."""
    checkpoint_now(_config, "shutdown", snapshot=True, log=server.log)
    if _node_lock is not None:
        _node_lock.release()
    if _own_metrics_dir is not None:
        shutil.rmtree(_own_metrics_dir, ignore_errors=True)
