"""Prometheus metrics, correct across gunicorn workers (prometheus_client's multiprocess mode).

Multiprocess mode is on when PROMETHEUS_MULTIPROC_DIR is set before prometheus_client is first
imported, which it reads once. So nothing here imports it, and no metric exists, until a metric
is first used: in a worker, after the fork, long after gunicorn's master set the directory in
its on_starting hook (gunicorn_conf). Without the directory the default single-process registry
is used (tests, the CLI).

Each worker writes ``counter_<pid>.db`` and ``histogram_<pid>.db``. When a worker dies (recycled
after CYNIC_MAX_REQUESTS, or crashed) the master folds its files into ``counter_aggregate.db``
and ``histogram_aggregate.db`` and deletes them, so a scrape reads one file per live process plus
the aggregates, however many workers came and went. Invariants:
- counters stay monotonic: a sample's value moves from the dead file to the aggregate under
  ``.merge.lock``, which every scrape also holds, so no scrape sees it twice or not at all;
- the aggregate is replaced atomically (written beside it under a name scrapes ignore, then
  renamed), so a scrape never reads half a sum. Only the master folds; the directory lives as
  long as the master (a new master starts with an empty one), so no merge outlives a crash.
Only counters and histograms are folded (their samples add up); this module defines no gauges.
"""

from __future__ import annotations

import logging
import os
import struct
import threading
from collections import defaultdict
from pathlib import Path

from .durability import locks

log = logging.getLogger(__name__)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
FAST_S = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
ADDITIVE_TYPES = ("counter", "histogram")
AGGREGATE = "aggregate"  # in place of a pid: <type>_aggregate.db
REQUEST_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _Metric:
    """A prometheus_client metric, created at its first use in a process (module doc): defined
    here by name, so every use is an attribute a linter can check."""

    def __init__(self, kind: str, name: str, documentation: str, labels: tuple[str, ...] = (), **options):
        self._args = (kind, name, documentation, labels, options)
        self._metric = None
        self._lock = threading.Lock()

    def _get(self):
        if self._metric is None:
            with self._lock:
                if self._metric is None:
                    import prometheus_client

                    kind, name, documentation, labels, options = self._args
                    self._metric = getattr(prometheus_client, kind)(name, documentation, labels, **options)
        return self._metric

    def labels(self, *values: str):
        return self._get().labels(*values)

    def inc(self, amount: float = 1) -> None:
        self._get().inc(amount)

    def observe(self, value: float) -> None:
        self._get().observe(value)


def _counter(name: str, documentation: str, labels: tuple[str, ...] = ()) -> _Metric:
    return _Metric("Counter", name, documentation, labels)


def _histogram(name: str, documentation: str, buckets: tuple, labels: tuple[str, ...] = ()) -> _Metric:
    return _Metric("Histogram", name, documentation, labels, buckets=buckets)


requests = _counter("cynic_http_requests", "HTTP requests answered", ("endpoint", "method", "status"))
request_seconds = _histogram(
    "cynic_http_request_duration_seconds", "Time to answer a request", REQUEST_S, ("endpoint",)
)
heads_refused = _counter(
    "cynic_http_heads_refused",
    "Request heads given up on before a thread saw them (worker.py), by why",
    ("reason",),  # timeout, too_large, evicted
)
connections_handed_back = _counter(
    "cynic_http_connections_handed_back",
    "Kept-alive connections closed after an answer because their worker held more than its threads",
)
journal_appends = _counter("cynic_journal_appends", "Records appended to the journal", ("kind",))
journal_fsyncs = _counter("cynic_journal_fsyncs", "fsync calls on journal segments")
journal_bytes = _counter("cynic_journal_bytes", "Bytes appended to the journal")
journal_fsync_seconds = _histogram("cynic_journal_fsync_duration_seconds", "Journal fsync latency", FAST_S)
batch_records = _histogram(
    "cynic_batch_records", "Records per write batch (group commit)", (1, 2, 4, 8, 16, 32, 64, 128)
)
db_commits = _counter("cynic_db_commits", "PostgreSQL transactions committed by the write path")
db_commit_seconds = _histogram("cynic_db_commit_duration_seconds", "Write transaction latency", FAST_S)
db_errors = _counter("cynic_db_errors", "Write transactions that failed", ("classification",))
guidance_writes = _counter("cynic_guidance_writes", "guidance.json replacements")
guidance_skips = _counter(
    "cynic_guidance_skips", "guidance.json writes skipped: a newer one was already durable"
)
outcomes = _counter(
    "cynic_write_failures", "Writes not acknowledged, by truthful outcome", ("outcome", "step")
)
idempotent_replays = _counter("cynic_idempotent_replays", "Retries answered from an Idempotency-Key")
# Named after `cynic replay`; counted wherever a closed journal is settled (start-up, the master
# when a worker exits, cynic replay and checkpoint, a worker's recovery timer).
replay_records = _counter(
    "cynic_replay_records",
    "Records of closed journals settled, by result (applied, already_present, aborted, superseded)",
    ("result",),
)
replay_torn_bytes = _counter(
    "cynic_replay_torn_bytes", "Torn bytes cut from the tails of closed journals being settled"
)


def exposition() -> tuple[bytes, str]:
    """The metrics page: every live worker's samples plus the dead ones' aggregate."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        with _merge_lock(directory):
            return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """A worker is gone: drop its live gauges and fold its counters and histograms into the aggregate."""
    from prometheus_client import multiprocess

    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        multiprocess.mark_process_dead(pid, directory)
        fold_dead_process(Path(directory), pid)


def fold_dead_process(directory: Path, pid: int) -> None:
    """Add the dead process's additive samples to <type>_aggregate.db, then delete its files."""
    from prometheus_client.mmap_dict import MmapedDict

    with _merge_lock(str(directory)):
        for typ in ADDITIVE_TYPES:
            dead = directory / f"{typ}_{pid}.db"
            if not dead.exists():
                continue
            aggregate = directory / f"{typ}_{AGGREGATE}.db"
            totals: dict[str, float] = defaultdict(float)
            for path in (aggregate, dead):
                for key, value in _samples(path):
                    totals[key] += value
            partial = directory / f"{typ}_{AGGREGATE}.db.partial"  # not *.db: scrapes never read it
            partial.unlink(missing_ok=True)
            merged = MmapedDict(str(partial))
            try:
                for key, value in totals.items():
                    merged.write_value(key, value, 0.0)
            finally:
                merged.close()
            os.replace(partial, aggregate)
            dead.unlink()


def _samples(path: Path) -> list[tuple[str, float]]:
    """The samples in one multiprocess file; none when it is missing or never got its header
    (a process killed while creating it leaves it short)."""
    from prometheus_client.mmap_dict import MmapedDict

    try:
        return [(key, value) for key, value, _ts, _pos in MmapedDict.read_all_values_from_file(str(path))]
    except FileNotFoundError:
        return []
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        log.warning("metrics file %s is unreadable (%s): its samples are dropped", path, exc)
        return []


def _merge_lock(directory: str):
    return locks.hold(Path(directory) / ".merge.lock")
