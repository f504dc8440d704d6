"""The pieces of the gunicorn workers that need no server: where a request head ends, and the
JSON error answers (the workers themselves: tests/e2e/test_slow_heads.py)."""

from __future__ import annotations

import contextlib
import email.utils
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from cynic_app.gunicorn_errors import error_answer
from cynic_app.serving import ServerSettings, ThreadOps, cpus_for_unpinned, pin_threads, worker_cpu
from cynic_app.worker import QuietAccessLogger, head_end

HEAD = b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"


@pytest.mark.parametrize(
    ("data", "ends"),
    [
        (HEAD, True),
        (HEAD + b'{"content": "body bytes sent with the head"}', True),
        (b"GET / HTTP/1.0\r\n\r\n", True),
        (b"GET /health HTTP/1.1\r\nHost: localhost\r\n", False),
        (b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: xxxx", False),
        (b"GET /health HTTP/1.1\nHost: localhost", True),  # bare LF: gunicorn refuses it at once
        (b"\n", True),
        (b"", False),
    ],
)
def test_a_head_ends_at_crlf_crlf_or_at_a_bare_lf(data, ends):
    assert (head_end(bytearray(data), 0) is not None) is ends


@pytest.mark.parametrize(
    ("data", "end"),
    [
        (HEAD, len(HEAD)),
        (HEAD + b"body bytes\n with a bare LF", len(HEAD)),  # the body's LF is not the head's
        (b"GET /health HTTP/1.1\nHost: localhost\r\n\r\n", len(b"GET /health HTTP/1.1\n")),
        (b"GET /health HTTP/1.1\r\nHost: localhost\r\n", None),
    ],
)
def test_a_heads_length_is_up_to_its_end(data, end):
    """What HEAD_LIMIT_BYTES is checked against, however many bytes came with the head."""
    assert head_end(bytearray(data), 0) == end


def test_a_head_trickled_byte_by_byte_ends_at_its_last_byte():
    buf = bytearray()
    for i, byte in enumerate(HEAD):
        start = len(buf)
        buf.append(byte)
        assert head_end(buf, start) == (len(HEAD) if i == len(HEAD) - 1 else None), i


def test_the_error_answer_is_the_apis_shape_and_closes():
    head, _, body = error_answer(431, "too many fields").partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 431 Request Header Fields Too Large"
    assert {"Connection: close", "Content-Type: application/json", f"Content-Length: {len(body)}"} <= set(
        lines
    )
    assert json.loads(body) == {
        "error": {"code": "request_header_fields_too_large", "message": "too many fields", "details": {}}
    }
    assert json.loads(error_answer(414, "x").partition(b"\r\n\r\n")[2])["error"]["code"] == "uri_too_long"


@pytest.mark.parametrize(
    ("env", "loaded"),
    [
        ({}, "cynic_app.worker.HeadFirstWorker"),
        ({"CYNIC_WORKER_CLASS": "sync"}, "cynic_app.worker.HeadFirstWorker"),  # 8 threads: gthread
        (
            {"CYNIC_WORKER_CLASS": "sync", "CYNIC_THREADS": "1"},
            "cynic_app.gunicorn_errors.JsonErrorsSyncWorker",
        ),
        ({"CYNIC_WORKER_CLASS": "gthread", "CYNIC_THREADS": "1"}, "cynic_app.worker.HeadFirstWorker"),
    ],
)
def test_gunicorn_loads_our_workers_never_its_own(env, loaded):
    """gunicorn runs its own gthread worker for sync with threads > 1, unless told which class."""
    assert ServerSettings.from_env(env).worker_class_path == loaded


def test_no_access_atoms_are_built_for_a_line_nobody_writes(monkeypatch):
    """gunicorn.access is at WARNING (the app logs each request): gunicorn built the atoms of
    every request all the same, because a logging dictConfig is set."""
    from gunicorn.config import Config as GunicornConfig

    from cynic_app.logs import logging_config

    cfg = GunicornConfig()
    cfg.set("logconfig_dict", logging_config())
    logger = QuietAccessLogger(cfg)
    built = []
    monkeypatch.setattr(logger, "atoms", lambda *args: built.append(args) or {})
    logger.access(None, None, {}, None)
    assert built == []
    logger.access_log.setLevel("INFO")
    logger.access(None, None, {}, None)
    assert len(built) == 1


def test_the_error_answer_is_dated():
    """RFC 9110 §6.6.1: a server with a clock sends Date in its 4xx answers too."""
    head = error_answer(408, "slow").partition(b"\r\n\r\n")[0].decode("latin-1")
    lines = head.split("\r\n")
    dates = [line.partition(":")[2].strip() for line in lines if line.lower().startswith("date:")]
    assert len(dates) == 1
    sent = email.utils.parsedate_to_datetime(dates[0])
    assert sent.tzinfo is not None and abs(sent.timestamp() - time.time()) < 5


@pytest.mark.parametrize(
    ("cpus", "live", "workers", "chosen"),
    [
        ([0, 1], [], 2, 0),
        ([0, 1], [0], 2, 1),
        ([2, 3], [2], 2, 3),  # a master limited to CPUs 2 and 3 (taskset, a cpuset) stays in them
        ([0, 1], [1], 2, 0),  # the worker on CPU 0 was recycled: its CPU is free again
        ([0, 1, 2, 3], [0, 2], 3, 1),
        ([0, 1], [0], 1, 0),  # one worker: its replacement counts nobody that stays
        # a reload starts the new workers beside the old ones, which then stop (oldest first):
        ([0, 1], [0, 1], 2, 0),
        ([0, 1], [0, 1, 0], 2, 1),
        # ... also after SIGTTIN then SIGTTOU left an unpinned worker beside a pinned one
        # (found by review: both new workers went to CPU 0 while the old ones were counted)
        ([0, 1], [1, None], 2, 0),
        ([0, 1], [1, None, 0], 2, 1),
        ([0, 1], [None, 0], 2, 1),  # a worker started unpinned (more workers than CPUs then) holds none
        ([0, 1], [], 3, None),  # more workers than CPUs: none is pinned
        ([], [], 1, None),  # the platform cannot say which CPUs there are
    ],
)
def test_a_new_worker_gets_the_cpu_fewest_staying_workers_have(cpus, live, workers, chosen):
    assert worker_cpu(cpus, live, workers) == chosen


@pytest.mark.parametrize(
    ("cpus", "live", "workers", "chosen"),
    [
        # SIGTTIN then SIGTTOU: the worker started while there were three runs free beside a
        # pinned one; once the third has stopped it takes the CPU nobody has
        ([0, 1], [1, None], 2, [None, 0]),
        ([0, 1], [None, 0], 2, [1, None]),
        ([2, 3], [None, 3], 2, [2, None]),  # a master limited to CPUs 2 and 3 stays in them
        ([0, 1], [None, None], 2, [0, 1]),
        ([0, 1, 2, 3], [0, None, 3], 3, [None, 1, None]),
        ([0, 1], [0, 1], 2, [None, None]),  # all pinned: nothing to do
        ([0, 1], [1, None, None], 2, [None, None, None]),  # one more still stopping: wait for it
        ([0, 1], [1, None], 3, [None, None]),  # a worker is being replaced, three wanted: none
        ([0, 1], [0, None], 2, [None, 1]),
        ([0, 1], [0, 0, None], 3, [None, None, None]),
        ([], [None], 1, [None]),  # the platform cannot say which CPUs there are
    ],
)
def test_a_worker_left_free_is_pinned_once_there_are_no_more_workers_than_cpus(cpus, live, workers, chosen):
    assert cpus_for_unpinned(cpus, live, workers) == chosen


@pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2, reason="Linux, 2 CPUs"
)
def test_every_thread_of_a_process_is_pinned_threads_started_meanwhile_included():
    """pin_threads on a child process whose threads keep starting threads: when it returns, every
    thread alive (and every one started later) is on the one CPU. Listed once, a thread started
    by one not yet pinned escapes, and so does every thread its line starts after it (which
    failed 7 rounds in 10 here: five rounds, to the CPUs in turn)."""
    cpus = sorted(os.sched_getaffinity(0))[-2:]
    child = subprocess.Popen([sys.executable, "-c", SPAWNING_THREADS], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "started"
        for round_ in range(5):
            cpu = cpus[round_ % 2]
            pin_threads(child.pid, cpu)
            time.sleep(0.1)  # threads started by pinned threads meanwhile
            affinities = {}
            for tid in (int(t) for t in os.listdir(f"/proc/{child.pid}/task")):
                with contextlib.suppress(ProcessLookupError):  # one that ended since the listing
                    affinities[tid] = os.sched_getaffinity(tid)
            assert len(affinities) > 3 and all(a == {cpu} for a in affinities.values()), (round_, affinities)
    finally:
        child.kill()
        child.wait()


class ScriptedThreads:
    """A process's threads and their CPU sets, for pin_threads; ``meanwhile[tid]`` runs when tid
    is looked at: what the process did since it was listed (a native thread can start a thread
    and end within microseconds, which no test can time)."""

    def __init__(self, threads: dict[int, set[int]]):
        self.threads = dict(threads)
        self.meanwhile: dict[int, Callable[[], None]] = {}
        self.ops = ThreadOps(tids=lambda _pid: set(self.threads), affinity=self.affinity, pin=self.pin)

    def affinity(self, tid: int) -> set[int]:
        if tid in self.meanwhile:
            self.meanwhile.pop(tid)()
        if tid not in self.threads:
            raise ProcessLookupError(tid)
        return set(self.threads[tid])

    def pin(self, tid: int, cpus: set[int]) -> None:
        self.threads[tid] = set(cpus)

    def start(self, parent: int, child: int, *, then_end: bool = False) -> None:
        self.threads[child] = set(self.threads[parent])  # a new thread inherits its starter's set
        if then_end:
            del self.threads[parent]


def test_a_thread_that_ended_before_it_was_pinned_is_not_taken_for_settled():
    """Review of 0ccf234: a listing whose only new thread had ended (after starting one, on the
    old set) was taken for settled, and the thread it started ran free. Thread 1 starts 2 before
    it is pinned; 2 starts 3, then ends, before it is looked at."""
    process = ScriptedThreads({1: {0, 1}})
    process.meanwhile[1] = lambda: process.start(1, 2)
    process.meanwhile[2] = lambda: process.start(2, 3, then_end=True)
    pin_threads(99, 1, ops=process.ops)
    assert process.threads == {1: {1}, 3: {1}}


def test_threads_that_never_stop_changing_are_said_not_pinned():
    process = ScriptedThreads({1: {0, 1}})

    def churn(tid: int) -> None:  # each thread looked at has just started the next and ended
        process.start(tid, tid + 1, then_end=True)
        process.meanwhile[tid + 1] = lambda: churn(tid + 1)

    process.meanwhile[1] = lambda: churn(1)
    with pytest.raises(OSError, match="kept changing"):
        pin_threads(99, 1, passes=5, ops=process.ops)


#: A process whose threads each start another and end, without pause, beside a few that stay.
SPAWNING_THREADS = """
import threading, time
def chain():
    threading.Thread(target=chain, daemon=True).start()
for _ in range(3):
    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
for _ in range(8):
    threading.Thread(target=chain, daemon=True).start()
print("started", flush=True)
time.sleep(30)
"""


def test_pinning_is_on_unless_turned_off():
    assert ServerSettings.from_env({}).pin_workers == "auto"
    assert ServerSettings.from_env({"CYNIC_PIN_WORKERS": "OFF"}).pin_workers == "off"
