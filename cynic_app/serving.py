"""What gunicorn runs with (address, worker counts, recycling, the request head timeout), read
strictly from the environment.

``Config.from_env`` reads these once, as ``Config.server`` (the app takes its thread count from
there, gunicorn_conf everything); a bad value stops the master before it binds, with one line
naming the variable (exit 3), like every other setting.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from . import settings

DEFAULT_PORT = 8000
DEFAULT_MAX_REQUESTS = 10_000
WORKER_CLASSES = ("gthread", "sync")
#: What gunicorn loads: its own workers, gthread reading request heads in its event loop
#: (worker.py), both answering their own errors in JSON (gunicorn_errors.py).
HEAD_FIRST_WORKER = "cynic_app.worker.HeadFirstWorker"
SYNC_WORKER = "cynic_app.gunicorn_errors.JsonErrorsSyncWorker"
DEFAULT_HEAD_TIMEOUT_S = 10.0
DEFAULT_THREADS = 8
#: CYNIC_PIN_WORKERS: ``auto`` gives each worker a CPU of its own when there are as many usable
#: CPUs as workers (``worker_cpu``); ``off`` lets the kernel move them.
PIN_CHOICES = ("auto", "off")


def default_workers() -> int:
    """gunicorn workers when WEB_CONCURRENCY is unset: one per core this process may use (its
    affinity: a cpuset, taskset), at least 2, at most 16.

    Fewer, fuller processes: the requests of one process that wait at the same moment share a
    journal fsync, a transaction and a guidance.json replacement (group commit), so a process
    with more threads batches better; one process per core keeps the cores busy judging
    (docs/performance.md has the measurements of 5×4, 4×4, 3×6, 2×8, 2×16 and 1×16).
    """
    return min(max(len(usable_cpus()) or os.cpu_count() or 1, 2), 16)


def usable_cpus() -> list[int]:
    """The CPUs this process may run on (its affinity: a cpuset, taskset); none where the
    platform cannot say (macOS)."""
    getaffinity = getattr(os, "sched_getaffinity", None)
    return sorted(getaffinity(0)) if getaffinity is not None else []


def worker_cpu(cpus: Sequence[int], live: Sequence[int | None], workers: int) -> int | None:
    """The CPU a new worker is pinned to, or None (not pinned) when there are fewer usable CPUs
    than workers.

    A worker's threads share one GIL, so a worker runs on about one core whatever it is allowed.
    Left free to move, its threads hand the GIL to each other across cores: a hand-off wakes a
    thread on another core (on a VM, often a virtual CPU the host had halted), which then runs
    on a cold cache. Pinned, a hand-off is a switch on the same core (docs/performance.md,
    "One core per worker").

    live: the CPUs of the live workers (None: not pinned), oldest first. When there are too
    many, gunicorn stops the oldest, so only the newest ``workers − 1`` stay beside the new one:
    the new worker takes the usable CPU fewest of those have (the lowest of a tie). A recycled
    worker's CPU is free again, and a reload's new workers (started while the old ones still
    run) spread over the CPUs whatever the old ones held."""
    if not cpus or workers > len(cpus):
        return None
    staying = live[max(0, len(live) - (workers - 1)) :]
    return _least_loaded(cpus, Counter(cpu for cpu in staying if cpu is not None))


def _least_loaded(cpus: Sequence[int], load: Counter) -> int:
    """The CPU fewest workers have (load: workers per CPU), the lowest of a tie."""
    return min(cpus, key=lambda cpu: (load[cpu], cpu))


def choose_cpu(server, worker, pin_workers: str) -> None:
    """gunicorn's pre_fork, in the master: the new worker's CPU (``worker_cpu``), or None."""
    worker.cynic_cpu = None
    if pin_workers == "auto":
        live = [getattr(w, "cynic_cpu", None) for w in sorted(server.WORKERS.values(), key=lambda w: w.age)]
        worker.cynic_cpu = worker_cpu(usable_cpus(), live, server.num_workers)


def pin_to_cpu(server, worker) -> None:
    """gunicorn's post_fork, in the new worker while it has one thread: pin it to its CPU, which
    every thread it starts inherits."""
    cpu = getattr(worker, "cynic_cpu", None)
    if cpu is None:
        return
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError as exc:  # a CPU taken offline since it was chosen: the worker runs on any
        server.log.warning("worker %s not pinned to CPU %s (it runs on any): %s", worker.pid, cpu, exc)
        return
    server.log.info("worker %s pinned to CPU %s", worker.pid, cpu)


def cpus_for_unpinned(cpus: Sequence[int], live: Sequence[int | None], workers: int) -> list[int | None]:
    """For each live worker (live: their CPUs, None where not pinned), the CPU to pin it to now,
    or None (pinned already, or to be left free).

    A worker started while there were more workers than usable CPUs (after SIGTTIN) runs free.
    Once the count is back down and no more workers live than there are CPUs, each such worker
    takes a CPU no live worker has, the lowest first (the fewest have, when none is free)."""
    if not cpus or workers > len(cpus) or len(live) > len(cpus):
        return [None] * len(live)
    load = Counter(cpu for cpu in live if cpu is not None)
    out: list[int | None] = []
    for cpu in live:
        if cpu is not None:
            out.append(None)
            continue
        chosen = _least_loaded(cpus, load)
        load[chosen] += 1
        out.append(chosen)
    return out


@dataclass(frozen=True)
class ThreadOps:
    """How pin_threads reads and sets threads (a seam: the races it handles need native threads
    that start threads and end within microseconds, which a test cannot time)."""

    tids: Callable[[int], set[int]]  # a process's threads
    affinity: Callable[[int], set[int]]  # a thread's CPUs (ProcessLookupError: it ended)
    pin: Callable[[int, set[int]], None]  # set them (ProcessLookupError: it ended)


#: Looked up when called: macOS has no sched_*affinity, and imports this module all the same
#: (usable_cpus() is empty there, so nothing is pinned).
OS_THREADS = ThreadOps(
    tids=lambda pid: {int(tid) for tid in os.listdir(f"/proc/{pid}/task")},
    affinity=lambda tid: os.sched_getaffinity(tid),
    pin=lambda tid, cpus: os.sched_setaffinity(tid, cpus),
)


def pin_threads(pid: int, cpu: int, *, passes: int = 20, ops: ThreadOps = OS_THREADS) -> None:
    """Pin every thread of process pid to cpu (Linux: /proc/<pid>/task).

    A thread started by a thread not yet pinned inherits the old set, so the threads are listed
    again until a listing finds no new thread that was not pinned already: then every thread
    alive was pinned, and every thread started since was started by a pinned one. A new thread
    that ended before it was seen counts as unsettled too: it may have started one since, not
    in this listing. OSError when that does not settle in ``passes`` listings (its threads may
    then be on either set), or the process cannot be read or pinned."""
    seen: set[int] = set()
    for _ in range(passes):
        settled = True
        for tid in sorted(ops.tids(pid) - seen):
            seen.add(tid)
            try:
                if ops.affinity(tid) != {cpu}:
                    ops.pin(tid, {cpu})
                    settled = False
            except ProcessLookupError:  # it ended: a thread it started may not be listed yet
                settled = False
        if settled:
            return
    raise OSError(f"the threads of process {pid} kept changing while they were pinned")


def repin_after_exit(server, pin_workers: str) -> None:
    """gunicorn's child_exit, in the master (nothing here raises): a worker is gone, so the
    workers left may be no more than the CPUs again (after SIGTTIN then SIGTTOU); pin the ones
    that run free (``cpus_for_unpinned``), every thread of each (``pin_threads``)."""
    if pin_workers != "auto":
        return
    live = sorted(server.WORKERS.values(), key=lambda w: w.age)
    choices = cpus_for_unpinned(
        usable_cpus(), [getattr(w, "cynic_cpu", None) for w in live], server.num_workers
    )
    for worker, cpu in zip(live, choices, strict=True):
        if cpu is None:
            continue
        try:
            pin_threads(worker.pid, cpu)
        except OSError as exc:  # not recorded as pinned: the next worker exit tries again
            server.log.warning(
                "worker %s not pinned to CPU %s (some of its threads may be): %s", worker.pid, cpu, exc
            )
            continue
        worker.cynic_cpu = cpu
        server.log.info("worker %s pinned to CPU %s (no more workers than CPUs again)", worker.pid, cpu)


def default_bind(env: Mapping[str, str]) -> str:
    """127.0.0.1:$PORT (loopback unless the operator says otherwise), PORT defaulting to 8000."""
    port = settings.integer(env, "PORT", DEFAULT_PORT, low=1, high=65535)
    return f"127.0.0.1:{port}"


@dataclass(frozen=True)
class ServerSettings:
    bind: str = f"127.0.0.1:{DEFAULT_PORT}"
    workers: int = field(default_factory=default_workers)
    threads: int = DEFAULT_THREADS
    worker_class: str = "gthread"
    max_requests: int = DEFAULT_MAX_REQUESTS
    head_timeout_s: float = DEFAULT_HEAD_TIMEOUT_S
    pin_workers: str = "auto"

    @property
    def worker_class_path(self) -> str:
        """The class gunicorn loads. sync with more than one thread is gthread (gunicorn's rule,
        which would otherwise load its own gthread worker in place of ours)."""
        return SYNC_WORKER if self.worker_class == "sync" and self.threads == 1 else HEAD_FIRST_WORKER

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServerSettings:
        env = os.environ if env is None else env
        return cls(
            bind=settings.address(env, "CYNIC_BIND", default_bind(env)),
            workers=settings.integer(env, "WEB_CONCURRENCY", default_workers(), low=1, high=64),
            threads=settings.integer(env, "CYNIC_THREADS", DEFAULT_THREADS, low=1, high=256),
            worker_class=settings.choice(env, "CYNIC_WORKER_CLASS", "gthread", WORKER_CLASSES),
            # 0 turns recycling off (gunicorn's own meaning).
            max_requests=settings.integer(env, "CYNIC_MAX_REQUESTS", DEFAULT_MAX_REQUESTS, low=0),
            head_timeout_s=settings.seconds(
                env, "CYNIC_HEAD_TIMEOUT_S", DEFAULT_HEAD_TIMEOUT_S, low=0.1, high=600
            ),
            pin_workers=settings.choice(env, "CYNIC_PIN_WORKERS", "auto", PIN_CHOICES),
        )
