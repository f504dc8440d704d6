"""Prometheus metrics, correct across gunicorn workers (prometheus_client's multiprocess mode).

Multiprocess mode is on when PROMETHEUS_MULTIPROC_DIR is set before this module is imported
(gunicorn_conf does that for the master, so every worker inherits it); otherwise the default
single-process registry is used (tests, the CLI).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
FAST_S = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
REQUEST_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

requests = Counter("cynic_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
request_seconds = Histogram(
    "cynic_http_request_duration_seconds", "Time to answer a request", ["endpoint"], buckets=REQUEST_S
)
journal_appends = Counter("cynic_journal_appends", "Records appended to the journal", ["kind"])
journal_fsyncs = Counter("cynic_journal_fsyncs", "fsync calls on journal segments")
journal_bytes = Counter("cynic_journal_bytes", "Bytes appended to the journal")
journal_fsync_seconds = Histogram(
    "cynic_journal_fsync_duration_seconds", "Journal fsync latency", buckets=FAST_S
)
db_commits = Counter("cynic_db_commits", "PostgreSQL transactions committed by the write path")
db_commit_seconds = Histogram("cynic_db_commit_duration_seconds", "Write transaction latency", buckets=FAST_S)
db_errors = Counter("cynic_db_errors", "Write transactions that failed", ["classification"])
guidance_writes = Counter("cynic_guidance_writes", "guidance.json replacements")
guidance_skips = Counter(
    "cynic_guidance_skips", "guidance.json writes skipped: a newer one was already durable"
)
outcomes = Counter(
    "cynic_write_failures", "Writes not acknowledged, by truthful outcome", ["outcome", "step"]
)
idempotent_replays = Counter("cynic_idempotent_replays", "Retries answered from an Idempotency-Key")
replay_records = Counter("cynic_replay_records", "Records seen by start-up replay", ["result"])
replay_torn_bytes = Counter("cynic_replay_torn_bytes", "Torn journal bytes repaired at start-up")


def exposition() -> tuple[bytes, str]:
    """The metrics page: every live and dead worker's samples when in multiprocess mode."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)
