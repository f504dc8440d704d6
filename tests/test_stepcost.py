"""scripts/bench's breakdown (tests/support/stepcost.py): every step it wraps still exists, its
events reach their file when a process exits, and the two views add them up as documented."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import psutil

from tests.support import stepcost
from tests.support.harness import ROOT

REQUEST, APP, JUDGE = (label for _, _, label in stepcost.STEPS[:3])


def test_a_process_started_with_the_site_records_its_steps_and_writes_them_at_exit(tmp_path):
    """The sitecustomize wraps every step (a step renamed in the code fails here, not in a
    40-minute bench run), and what a process recorded is in its file after it exits."""
    script = (
        "from cynic_app.judgment import Cell\n"
        "import cynic_app.service as service\n"
        "service.judge(Cell.create(content='x = 1', context='file: a.py'))\n"
    )
    env = {**os.environ, stepcost.ENV: str(tmp_path), "PYTHONPATH": f"{ROOT}{os.pathsep}{stepcost.SITE}"}
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=120)
    events = stepcost.events(tmp_path)
    assert [e[0] for e in events] == ["judge() (the dogs)"]
    label, _thread, started, ended, cpu = events[0]
    assert ended > started and cpu > 0


def test_without_the_variable_nothing_is_wrapped(tmp_path):
    script = "import flask, sys; sys.exit(flask.Flask.wsgi_app.__module__ != 'flask.app')\n"
    env = {k: v for k, v in os.environ.items() if k != stepcost.ENV}
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{stepcost.SITE}"
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=60)


def test_the_wall_view_places_each_step_within_its_request():
    """Two requests one after the other (c=1): each step's median duration and start within
    its request; a step's second call in one request is not counted twice."""
    events = sorted(
        [
            (REQUEST, 1, 10.000, 10.004, 0.003),
            (APP, 1, 10.001, 10.003, 0.002),
            (JUDGE, 1, 10.0015, 10.0020, 0.0005),
            (JUDGE, 1, 10.0021, 10.0029, 0.0008),  # a second call: ignored
            (REQUEST, 1, 20.000, 20.006, 0.003),
            (APP, 1, 20.001, 20.005, 0.002),
        ],
        key=lambda e: e[2],
    )
    rows = {r["step"]: r for r in stepcost.wall_view(events)}
    assert rows[REQUEST]["wall_ms"] == 5.0 and rows[REQUEST]["starts_ms"] == 0.0
    assert rows[APP] == {"step": APP, "per_request": 1.0, "starts_ms": 1.0, "wall_ms": 3.0}
    assert rows[JUDGE] == {"step": JUDGE, "per_request": 0.5, "starts_ms": 1.5, "wall_ms": 0.5}


def test_the_cpu_view_divides_each_step_by_the_requests_completed():
    events = [(REQUEST, 1, 0, 1, 0.002), (REQUEST, 2, 0, 1, 0.004), (JUDGE, 1, 0, 1, 0.001)]
    rows = {r["step"]: r for r in stepcost.cpu_view(events, requests=2)}
    assert rows[REQUEST] == {"step": REQUEST, "calls_per_request": 1.0, "cpu_ms": 3.0}
    assert rows[JUDGE] == {"step": JUDGE, "calls_per_request": 0.5, "cpu_ms": 0.5}


def test_switches_are_counted_in_every_thread_of_a_process():
    """A process's own /proc status counts its main thread only: the switches of a thread that
    sleeps a hundred times are found, and a snapshot taken before the thread started counts
    all of them."""
    me = psutil.Process()
    before = stepcost.switches([me])
    done, release = threading.Event(), threading.Event()

    def nap() -> None:
        for _ in range(100):
            time.sleep(0.0005)
        done.set()
        release.wait(30)  # still there when counted: a thread gone takes its count with it

    thread = threading.Thread(target=nap)
    thread.start()
    try:
        assert done.wait(30)
        after = stepcost.switches([me])
    finally:
        release.set()
        thread.join()
    assert (me.pid, str(thread.native_id)) in after and (me.pid, str(thread.native_id)) not in before
    voluntary, _involuntary = stepcost.switched(before, after)
    assert voluntary >= 100


def test_switched_adds_each_threads_growth_and_drops_threads_gone():
    before = {(1, "1"): (10, 2), (1, "2"): (5, 5)}
    after = {(1, "1"): (15, 3), (1, "3"): (4, 1)}  # thread 2 ended, thread 3 started
    assert stepcost.switched(before, after) == (5 + 4, 1 + 1)


def test_the_tables_price_the_waits_a_durable_request_adds():
    """The rows of what waits cost: durable minus dry-run CPU (service and PostgreSQL) beside the
    added voluntary switches at the measured price of one; a run recorded before the switches
    were counted prints neither."""

    def point(service_cpu, pg_cpu, service_switches, pg_switches):
        return {
            "wrk": {"p50_ms": 1.0, "rps": 1000.0},
            "steps": [],
            "service_cpu_ms": service_cpu,
            "postgres_cpu_ms": pg_cpu,
            "service_switches": service_switches,
            "postgres_switches": pg_switches,
        }

    result = {
        "handoff_us": {"wall": 40.0, "cpu": 30.0},
        "c1_dry_run": point(0, 0, [0, 0], [0, 0]),
        "c1_durable": point(0, 0, [0, 0], [0, 0]),
        "c16_dry_run": point(1.5, 0.0, [7.0, 3.0], [0.0, 0.0]),
        "c16_durable": point(3.0, 0.3, [25.0, 9.0], [2.0, 0.5]),
    }
    text = stepcost.tables(result)
    assert "| the service's context switches, voluntary / involuntary | 7.0 / 3.0 | 25.0 / 9.0 |" in text
    assert "| CPU per request a durable request adds (the service and PostgreSQL) | 1.800 ms |" in text
    assert "(the service and PostgreSQL) | 20.0 |" in text
    assert "| those switches at the price of a wait above | 0.600 ms |" in text
    for key in ("service_switches", "postgres_switches"):
        for scenario in ("c16_dry_run", "c16_durable"):
            del result[scenario][key]
    del result["handoff_us"]
    text = stepcost.tables(result)
    assert "context switches" not in text and "price of a wait" not in text
