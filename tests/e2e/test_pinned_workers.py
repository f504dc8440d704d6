"""Each worker runs on a CPU of its own when there are enough (serving.worker_cpu), recycled
workers included; ``CYNIC_PIN_WORKERS=off``, or more workers than CPUs, leaves them free."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import pytest

from cynic_app.serving import usable_cpus
from tests.support.harness import Gunicorn, request
from tests.support.pg import children

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(len(usable_cpus()) < 2, reason="a pinned worker looks free on one CPU"),
]

RECYCLE_AFTER = 10  # requests per worker (± 1)


def worker_cpus(g: Gunicorn, workers: int, timeout_s: float = 10) -> dict[int, set[int]]:
    """Each live worker's CPUs, once the master has its full count of workers."""
    deadline = time.monotonic() + timeout_s
    while True:
        pids = children(g.process.pid)
        try:
            found = {pid: os.sched_getaffinity(pid) for pid in pids}
        except ProcessLookupError:  # a recycled worker exited while we looked
            found = {}
        if len(found) == workers:
            return found
        assert time.monotonic() < deadline, f"{len(found)} workers, not {workers}:\n{g.log()}"
        time.sleep(0.05)


def test_each_worker_has_a_cpu_of_its_own_and_a_recycled_one_takes_the_cpu_it_frees(tmp_path, database_url):
    workers = min(len(usable_cpus()), 4)
    env = {"CYNIC_MAX_REQUESTS": str(RECYCLE_AFTER)}
    g = Gunicorn(tmp_path / "home", database_url, workers=workers, threads=2, env=env).start()
    try:
        first = worker_cpus(g, workers)
        assert all(len(cpus) == 1 for cpus in first.values()), first
        assert set().union(*first.values()) == set(usable_cpus()[:workers]), first
        for _ in range(RECYCLE_AFTER * workers * 3):
            assert request(g.port, "GET", "/health")[0] == 200
        later = worker_cpus(g, workers)
        assert set(later) != set(first), "no worker was recycled"
        assert all(len(cpus) == 1 for cpus in later.values()), later
        assert len(set().union(*later.values())) == workers, later  # still one CPU each
        assert "pinned to CPU" in g.log_path.read_text()
    finally:
        g.stop()


def test_a_reload_after_the_count_went_up_and_down_spreads_its_new_workers(tmp_path, database_url):
    """Review (2026-12-07): SIGTTIN then SIGTTOU left a pinned worker beside an unpinned one (the
    one started while there were more workers than CPUs), and a reload (SIGHUP) then put both
    new workers on CPU 0: it counted the old workers, which were about to stop."""
    g = Gunicorn(tmp_path / "home", database_url, workers=2, threads=2).start()
    try:
        master = g.process.pid
        before = worker_cpus(g, 2)
        os.kill(master, signal.SIGTTIN)
        during = worker_cpus(g, 3)
        os.kill(master, signal.SIGTTOU)
        deadline = time.monotonic() + 10
        while set(after := worker_cpus(g, 2)) == set(before) or set(after) - set(during):
            assert time.monotonic() < deadline, f"{after} after SIGTTOU:\n{g.log()}"
            time.sleep(0.05)
        os.kill(master, signal.SIGHUP)
        deadline = time.monotonic() + 20
        while set(reloaded := worker_cpus(g, 2)) & set(after):
            assert time.monotonic() < deadline, f"{reloaded} after SIGHUP:\n{g.log()}"
            time.sleep(0.05)
        assert all(len(cpus) == 1 for cpus in reloaded.values()), reloaded
        assert len(set().union(*reloaded.values())) == 2, reloaded
        assert request(g.port, "GET", "/health")[0] == 200
    finally:
        g.stop()


def thread_cpus(pid: int) -> set[frozenset[int]]:
    """The CPU sets of every thread of process pid."""
    found = set()
    for tid in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(ProcessLookupError):  # a thread that ended since the listing
            found.add(frozenset(os.sched_getaffinity(int(tid))))
    return found


def test_a_worker_started_beyond_the_cpus_is_pinned_once_the_count_is_back_down(tmp_path, database_url):
    """SIGTTIN starts one worker more than there are CPUs, which runs free; SIGTTOU stops the
    oldest, and the master then pins the one left free to the CPU nobody has, every thread of
    it. Before, it ran free until it was recycled (found by the review of 2a8b364)."""
    workers = len(usable_cpus())
    if workers > 8:
        pytest.skip(f"{workers + 1} workers: too many for a test")
    g = Gunicorn(tmp_path / "home", database_url, workers=workers, threads=2).start()
    try:
        master = g.process.pid
        before = worker_cpus(g, workers)
        os.kill(master, signal.SIGTTIN)
        deadline = time.monotonic() + 10
        while not set(during := worker_cpus(g, workers + 1)) - set(before):
            assert time.monotonic() < deadline, f"no new worker after SIGTTIN:\n{g.log()}"
            time.sleep(0.05)
        (extra,) = set(during) - set(before)
        assert during[extra] == set(usable_cpus())  # more workers than CPUs: it runs free
        for _ in range(20):  # its threads start (gthread starts them as requests come)
            assert request(g.port, "GET", "/health")[0] == 200
        os.kill(master, signal.SIGTTOU)
        deadline = time.monotonic() + 15
        while True:
            after = worker_cpus(g, workers)
            threads = {pid: thread_cpus(pid) for pid in after if pid in during}
            if set(after) <= set(during) and all(
                len(t) == 1 and len(next(iter(t))) == 1 for t in threads.values()
            ):
                break
            assert time.monotonic() < deadline, f"{after}, threads {threads} after SIGTTOU:\n{g.log()}"
            time.sleep(0.05)
        assert extra in after
        assert len({next(iter(t)) for t in threads.values()}) == workers, threads  # a CPU each
        assert request(g.port, "GET", "/health")[0] == 200
        assert "no more workers than CPUs again" in g.log_path.read_text()
    finally:
        g.stop()


@pytest.mark.parametrize(
    ("extra_workers", "env"),
    [(0, {"CYNIC_PIN_WORKERS": "off"}), (1, {})],
    ids=["turned-off", "more-workers-than-cpus"],
)
def test_workers_run_on_any_cpu_when_pinning_is_off_or_too_few_cpus(
    tmp_path, database_url, extra_workers, env
):
    workers = len(usable_cpus()) + extra_workers
    if workers > 9:
        pytest.skip(f"{workers} workers: too many for a test")
    g = Gunicorn(tmp_path / "home", database_url, workers=workers, threads=2, env=env).start()
    try:
        found = worker_cpus(g, workers)
        assert all(cpus == set(usable_cpus()) for cpus in found.values()), found
    finally:
        g.stop()
