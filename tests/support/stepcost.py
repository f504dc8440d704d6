"""Where a request's time goes, step by step, under gunicorn and wrk (scripts/bench's breakdown).

The service runs with ``tests/support/stepcost_site`` on its PYTHONPATH: its sitecustomize calls
``install()`` in every process, which wraps the functions of STEPS so that each call records its
wall time (perf_counter, one clock for all processes) and its thread's CPU time. Events go to a
file per process, in batches and at exit. The driver marks when each wrk point ran, so the
events of a point are those that started inside it.

Two views come out, for the tiny body, dry-run and durable:

- **c=1, wall**: the median of each step and where it starts within the request (``worker``,
  gunicorn's handling of a request's connection, is the request; one request at a time).
- **c=16, CPU**: CPU milliseconds per request of each step (its thread's CPU time summed over
  the point, divided by the requests wrk completed), beside the CPU per request of the whole
  service (psutil, every gunicorn process) and of PostgreSQL's processes.

Wrapping costs a few microseconds per call (about 25 calls per durable request), so the figures
come from a service of their own, never from the load points. A step renamed in the code makes
``install`` fail loudly rather than measure nothing.
"""

from __future__ import annotations

import atexit
import bisect
import collections
import functools
import importlib
import json
import os
import statistics
import threading
import time
from pathlib import Path

ENV = "CYNIC_STEPCOST_DIR"
SITE = Path(__file__).resolve().parent / "stepcost_site"

#: (module, attribute path, label), outermost first. Labels are what the tables print.
STEPS = [
    ("gunicorn.workers.gthread", "ThreadWorker.handle", "worker (gunicorn: read, app, send)"),
    ("flask", "Flask.wsgi_app", "Flask app (hooks, view)"),
    ("cynic_app.service", "Service.judge", "Service.judge"),
    ("cynic_app.service", "judge", "judge() (the dogs)"),
    ("cynic_app.service", "Service._persist", "persist (queue + batch)"),
    ("cynic_app.service.write_path", "WritePath.write", "batch: write path"),
    ("cynic_app.service.write_path", "WritePath._journal", "batch: 1. journal (write, no fsync)"),
    ("cynic_app.durability.guidance", "GuidanceWriter.catch_up", "batch: 1a. read guidance.json stamp"),
    ("cynic_app.durability.journal.writer", "JournalWriter.write_many", "batch: 1b. journal write"),
    ("cynic_app.service.write_path", "_store_and_commit", "batch: 2. BEGIN, INSERT, COMMIT (pipeline)"),
    ("cynic_app.store.repository", "_insert_judgments", "batch: 2a. INSERT built and sent"),
    ("cynic_app.service.write_path", "WritePath._prepare_guidance", "batch: 2b. hand guidance.json over"),
    ("cynic_app.durability.guidance", "GuidanceWriter.prepare", "beside: guidance.json temporary"),
    ("cynic_app.durability.journal.writer", "JournalWriter.await_durable", "batch: 2c. journal fsync"),
    ("cynic_app.service.write_path", "send_commit", "batch: 2d. COMMIT sent"),
    ("cynic_app.service.write_path", "WritePath._await_preparation", "batch: 2e. join the preparation"),
    ("cynic_app.service.write_path", "WritePath._name_in_guidance", "batch: 3. guidance.json installed"),
]
REQUEST = STEPS[0][2]
FLUSH_EVERY = 1000


def install() -> None:
    """Wrap every step (in the service's processes; ENV names the directory for the events)."""
    out = Path(os.environ[ENV])
    buffer: list[tuple] = []
    lock = threading.Lock()

    def flush() -> None:
        with lock:
            events, buffer[:] = list(buffer), []
        if events:
            with open(out / f"events-{os.getpid()}.jsonl", "a") as f:
                f.writelines(json.dumps(e) + "\n" for e in events)

    def wrap(owner, attr: str, label: str) -> None:
        original = getattr(owner, attr)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                event = (label, threading.get_ident(), started, time.perf_counter(), time.thread_time() - cpu)
                with lock:
                    buffer.append(event)
                    full = len(buffer) >= FLUSH_EVERY
                if full:
                    flush()

        setattr(owner, attr, timed)

    for module, path, label in STEPS:
        owner = importlib.import_module(module)
        *parents, attr = path.split(".")
        for name in parents:
            owner = getattr(owner, name)
        getattr(owner, attr)  # AttributeError: the step was renamed, and this table must follow
        wrap(owner, attr, label)
    atexit.register(flush)


def events(directory: Path) -> list[tuple]:
    return [tuple(json.loads(line)) for f in sorted(directory.glob("events-*.jsonl")) for line in open(f)]


def within(all_events: list[tuple], window: tuple[float, float]) -> list[tuple]:
    return [e for e in all_events if window[0] <= e[2] <= window[1]]


def wall_view(point: list[tuple]) -> list[dict]:
    """c=1 (one request at a time): per step, its median wall time and its median start within
    the request, over the requests that ran it (point sorted by start)."""
    starts = [e[2] for e in point]
    durations, offsets = collections.defaultdict(list), collections.defaultdict(list)
    requests = [e for e in point if e[0] == REQUEST]
    for req in requests:
        seen = set()
        for e in point[bisect.bisect_left(starts, req[2]) : bisect.bisect_right(starts, req[3])]:
            if e[3] <= req[3] and e[0] not in seen:  # a step's first call in the request
                seen.add(e[0])
                durations[e[0]].append((e[3] - e[2]) * 1000)
                offsets[e[0]].append((e[2] - req[2]) * 1000)
    return [
        {"step": label, "per_request": round(len(durations[label]) / len(requests), 2),
         "starts_ms": round(statistics.median(offsets[label]), 3),
         "wall_ms": round(statistics.median(durations[label]), 3)}
        for _, _, label in STEPS if durations[label]
    ]  # fmt: skip


def cpu_view(point: list[tuple], requests: int) -> list[dict]:
    """c=16: per step, CPU milliseconds per request (the step's threads' CPU, summed)."""
    cpu = collections.defaultdict(float)
    calls = collections.Counter()
    for e in point:
        cpu[e[0]] += e[4]
        calls[e[0]] += 1
    return [
        {"step": label, "calls_per_request": round(calls[label] / requests, 2),
         "cpu_ms": round(cpu[label] * 1000 / requests, 3)}
        for _, _, label in STEPS if calls[label]
    ]  # fmt: skip


def _index(point: list[tuple]) -> list[tuple]:
    return sorted(point, key=lambda e: e[2])


def cpu_seconds(processes) -> float:
    """User and system CPU of the processes (psutil.Process), those already gone left out."""
    import psutil  # here, like measure's: the processes this module is loaded into never need it

    total = 0.0
    for p in processes:
        try:
            times = p.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def switches(processes) -> dict[tuple[int, str], tuple[int, int]]:
    """Voluntary and involuntary context switches of every thread of the processes (psutil.Process),
    by (pid, thread id), from /proc (a process's own status counts its main thread only)."""
    out = {}
    for p in processes:
        for status in Path(f"/proc/{p.pid}/task").glob("*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
            except OSError:  # gone meanwhile
                continue
            voluntary, involuntary = fields["voluntary_ctxt_switches"], fields["nonvoluntary_ctxt_switches"]
            out[(p.pid, status.parent.name)] = (int(voluntary), int(involuntary))
    return out


def switched(before: dict, after: dict) -> tuple[int, int]:
    """(voluntary, involuntary) switches between two ``switches``: each thread's growth, all of a
    thread's count when it started meanwhile, none of one that ended meanwhile (its count is lost)."""
    grown = [
        tuple(n - m for n, m in zip(counts, before.get(task, (0, 0)), strict=True))
        for task, counts in after.items()
    ]
    return sum(g[0] for g in grown), sum(g[1] for g in grown)


def measure(pg, work: Path, *, duration_s: int, wrk, service_for, prime: int, body: dict) -> dict:
    """Run the breakdown: a traced service, c=1 dry-run and durable, then c=16 dry-run and
    durable after a warm-up; return both views per scenario and the CPU per request."""
    import psutil

    from tests.support.limits import handoff_us

    handoff = handoff_us()  # before the service starts: the machine's price of a wait, unloaded
    directory = work / "stepcost"
    directory.mkdir(exist_ok=True)
    directory.chmod(0o777)
    from tests.support.harness import ROOT, request

    env = {"CYNIC_MAX_REQUESTS": "0", ENV: str(directory), "PYTHONPATH": f"{ROOT}:{SITE}"}
    service = service_for(pg, work, "stepcost", root=ROOT, layout=None, env=env)
    service.start(timeout_s=60)
    postmaster = psutil.Process(pg.process.pid)

    def tree(root) -> list:
        return [root, *root.children(recursive=True)]

    def cpu_of(root) -> float:
        return cpu_seconds(tree(root))

    def switches_of(root) -> dict:
        return switches(tree(root))

    points = {}
    try:
        gunicorn = psutil.Process(service.process.pid)
        for _ in range(prime):
            status, answer = request(service.port, "POST", "/judge", body)
            assert status == 200, answer
        plan = [(1, "dry_run"), (1, "durable"), (16, "warm-up"), (16, "dry_run"), (16, "durable")]
        for concurrency, scenario in plan:
            path = "/judge" if scenario == "durable" else "/judge?dry_run=true"
            seconds = 3 if scenario == "warm-up" else duration_s
            started, service_cpu, pg_cpu = time.perf_counter(), cpu_of(gunicorn), cpu_of(postmaster)
            service_switches, pg_switches = switches_of(gunicorn), switches_of(postmaster)
            result = wrk(service.port, path, body, concurrency=concurrency, duration_s=seconds, work=work)
            if scenario == "warm-up":
                continue
            done = max(result["requests"], 1)
            points[(concurrency, scenario)] = {
                "window": (started, time.perf_counter()),
                "wrk": result,
                "service_cpu_ms": round((cpu_of(gunicorn) - service_cpu) * 1000 / done, 3),
                "postgres_cpu_ms": round((cpu_of(postmaster) - pg_cpu) * 1000 / done, 3),
                "service_switches": [
                    round(n / done, 2) for n in switched(service_switches, switches_of(gunicorn))
                ],
                "postgres_switches": [
                    round(n / done, 2) for n in switched(pg_switches, switches_of(postmaster))
                ],
            }
    finally:
        service.stop()
    recorded = _index(events(directory))
    out = {"handoff_us": handoff}
    for (concurrency, scenario), point in points.items():
        inside = within(recorded, point["window"])
        key = f"c{concurrency}_{scenario}"
        out[key] = {k: v for k, v in point.items() if k != "window"}
        if concurrency == 1:
            out[key]["steps"] = wall_view(inside)
        else:
            out[key]["steps"] = cpu_view(inside, point["wrk"]["requests"])
    return out


def _step_rows(result: dict, concurrency: int, cell) -> list[str]:
    """One row per step that ran in either scenario: its label, then cell(row) or "—" for each."""
    views = [{r["step"]: r for r in result[f"c{concurrency}_{s}"]["steps"]} for s in ("dry_run", "durable")]
    rows = []
    for _, _, label in STEPS:
        found = tuple(view.get(label) for view in views)
        if found != (None, None):
            rows.append(f"| {label} | " + " | ".join(cell(r) for r in found) + " |")
    return rows


def _wall_cells(r: dict | None) -> str:
    return f"{r['starts_ms']:.3f} ms | {r['wall_ms']:.3f} ms" if r else "— | —"


def tables(result: dict) -> str:
    """The two views as markdown."""
    lines = [
        "| c=1, tiny body: step | dry-run starts at | dry-run p50 | durable starts at | durable p50 |",
        "|---|---:|---:|---:|---:|",
        *_step_rows(result, 1, _wall_cells),
        f"| wrk p50 (client to client) | | {result['c1_dry_run']['wrk']['p50_ms']:.3f} ms |"
        f" | {result['c1_durable']['wrk']['p50_ms']:.3f} ms |",
        "",
        "| c=16, tiny body: CPU per request | dry-run | durable |",
        "|---|---:|---:|",
        *_step_rows(result, 16, lambda r: f"{r['cpu_ms']:.3f} ms ({r['calls_per_request']}×)" if r else "—"),
    ]
    for name, key in (("the whole service (every gunicorn process)", "service_cpu_ms"),
                      ("PostgreSQL (every server process)", "postgres_cpu_ms")):  # fmt: skip
        lines.append(
            f"| {name} | {result['c16_dry_run'][key]:.3f} ms | {result['c16_durable'][key]:.3f} ms |"
        )
    switch_rows = (("the service's context switches, voluntary / involuntary", "service_switches"),
                   ("PostgreSQL's switches, voluntary / involuntary", "postgres_switches"))  # fmt: skip
    for name, key in switch_rows:
        if key in result["c16_durable"]:  # runs recorded before they were counted lack them
            cells = [result[f"c16_{scenario}"][key] for scenario in ("dry_run", "durable")]
            lines.append(f"| {name} | " + " | ".join(f"{v:.1f} / {i:.1f}" for v, i in cells) + " |")
    rps = [result[f"c16_{scenario}"]["wrk"]["rps"] for scenario in ("dry_run", "durable")]
    lines.append(f"| req/s (wrk) | {rps[0]:.0f} | {rps[1]:.0f} |")
    if "handoff_us" in result:
        lines += ["", *_handoff_rows(result)]
    return "\n".join(lines)


def _handoff_rows(result: dict) -> list[str]:
    """What waits cost: the machine's price of one, and how much of durability's CPU per
    request at c=16 the waits it adds would cost at that price."""
    dry, durable, handoff = result["c16_dry_run"], result["c16_durable"], result["handoff_us"]
    added_cpu = sum(durable[k] - dry[k] for k in ("service_cpu_ms", "postgres_cpu_ms"))
    added_waits = sum(durable[k][0] - dry[k][0] for k in ("service_switches", "postgres_switches"))
    return [
        "| c=16, tiny body: what waits cost | |",
        "|---|---:|",
        "| a thread's wait, woken by another (`threading.Event`, two threads taking turns, no load): "
        f"wall / CPU per wait | {handoff['wall']:.1f} / {handoff['cpu']:.1f} µs |",
        f"| CPU per request a durable request adds (the service and PostgreSQL) | {added_cpu:.3f} ms |",
        f"| voluntary context switches a durable request adds (the service and PostgreSQL) "
        f"| {added_waits:.1f} |",
        f"| those switches at the price of a wait above | {added_waits * handoff['cpu'] / 1000:.3f} ms |",
    ]
