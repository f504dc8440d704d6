"""What a request costs in instructions (callgrind): the same count on a noisy machine.

Seconds on the machines this project is measured on move by a quarter from one minute to the
next, so a change of a few per cent to the request path cannot be seen in requests per second.
callgrind counts the instructions a process executes, the same for the same binary, input and
environment whatever else the machine does. Each scenario runs in a child Python under
``valgrind --tool=callgrind`` twice, with the same start-up and warm-up and SHORT then LONG
measured calls; (LONG total − SHORT total) / (LONG − SHORT) is one call's count, start-up and
warm-up cancelling out. ``PYTHONHASHSEED=0`` so that both runs hash alike.

The scenarios, for each of the bench's bodies (bench.CONTENTS, sent as the load points send
them, handed to the child in a file), in one process each:

- ``trivial``: one POST /judge to limits.py's trivial Flask app (parse the JSON body, answer a
  small JSON; built in the child), called as a WSGI app: what Flask costs.
- ``judge``: ``judge()`` of the body's cell, with the memory the service would give it.
- ``request``: one dry-run POST /judge to the service (``create_app``), called as a WSGI app,
  on a database primed as the load points prime theirs (bench.PRIME durable writes of the
  body), so the dogs' memory holds what it holds there.
- ``request_without_judge``: the same, with ``judge()`` replaced by a function returning
  (with the id asked for) the judgment the real judge gave this cell with this memory: what the
  request path costs besides the judge. A measuring device, never shipped.

What none of them counts: gunicorn (reading the request and sending the answer; the same for
the trivial app and the service), and the memory's refresh (the service re-reads it at most
once a second per worker; under callgrind, fifty times slower, it would refresh every few
calls, so the children read it once).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ("trivial", "request_without_judge", "judge", "request")
#: (SHORT, LONG) measured calls per size: judge() of 20 KB takes about a second under callgrind.
CALLS = {"tiny": (10, 110), "3KB": (5, 45), "20KB": (2, 12)}
WARM_UP = 5
COLLECTED_RE = re.compile(rb"Collected : (\d+)")


# -- the child: one scenario, under callgrind -----------------------------------------------------


def _environ(path: str, raw: bytes) -> dict:
    """A WSGI environ for a POST of raw (a JSON body) to path, as gunicorn would pass it."""
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path.partition("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _caller(app, path: str, body: dict):
    raw = json.dumps(body).encode()

    def call() -> None:
        status = []
        chunks = app(_environ(path, raw), lambda s, headers, exc_info=None: status.append(s))
        try:
            b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        if not status[0].startswith("200"):
            raise RuntimeError(f"{path} answered {status[0]}")

    return call


def _service_app():
    """The service's app on this process's environment (CYNIC_HOME, CYNIC_DATABASE_URL), its
    memory read once (module doc), set up as a worker is: prometheus_client's multiprocess mode
    (gunicorn_conf's on_starting sets its directory) and the worker's logging, whose lines
    (one per request) go to /dev/null here."""
    from cynic_app import create_app, logs, metrics
    from cynic_app.api.context import runtime_of

    directory = Path(os.environ["CYNIC_HOME"]).parent / f"metrics-{os.getpid()}"  # the parent removes it
    directory.mkdir(parents=True)
    os.environ[metrics.MULTIPROC_ENV] = str(directory)
    stderr, sys.stderr = sys.stderr, open(os.devnull, "w")  # noqa: SIM115 (the log's, for the child's life)
    try:
        logs.configure_logging()  # its handler writes to the sys.stderr of this moment
    finally:
        sys.stderr = stderr
    app = create_app()
    memory_cache = runtime_of(app).service()._memory
    memory_cache.get()
    memory_cache.ttl_s = math.inf
    return app, memory_cache.get()


def _trivial_app():
    """limits.py's trivial app, built here: a child imports nothing of the tree's tests, whose
    modules differ from one revision to the next (and with them what a call costs)."""
    from flask import Flask, request

    app = Flask(__name__)

    @app.post("/judge")
    def judge():
        body = request.get_json()
        return {"verdict": "WAG", "chars": len(body.get("content", ""))}

    return app


def _child(scenario: str, body: dict, calls: int) -> None:
    """Run scenario: WARM_UP calls, then calls measured ("prime": calls durable writes)."""
    if scenario == "prime":
        app, _ = _service_app()
        call = _caller(app, "/judge", body)
        for _ in range(calls):
            call()
        _close(app)
        return
    app = None
    if scenario == "trivial":
        call = _caller(_trivial_app(), "/judge", body)
    else:
        import cynic_app.service as service
        from cynic_app.judgment import Cell, judge

        app, memory = _service_app()
        cell = Cell.create(**{k: body[k] for k in ("reality", "analysis", "content", "context")})
        if scenario == "judge":

            def call() -> None:
                judge(cell, memory=memory)

        else:
            if scenario == "request_without_judge":
                made, replaced = judge(cell, memory=memory), []

                def judged(cell, *, level=None, memory=None, judgment_id=None):
                    replaced.append(judgment_id)
                    return dataclasses.replace(made, judgment_id=judgment_id)

                service.judge = judged  # what Service.judge calls
            call = _caller(app, "/judge?dry_run=true", body)
            if scenario == "request_without_judge":
                call()
                if not replaced:  # Service.judge no longer calls service.judge: measure nothing false
                    raise RuntimeError("judge() was not replaced: Service.judge calls another name")
    for _ in range(WARM_UP):
        call()
    gc.collect()
    gc.freeze()  # as gunicorn_conf.post_worker_init does in a worker
    for _ in range(calls):
        call()
    if app is not None:
        _close(app)


def _close(app) -> None:
    from cynic_app.api.context import runtime_of

    runtime_of(app).close()


# -- the parent -------------------------------------------------------------------------------------


def _count(tree: Path, scenario: str, size: str, calls: int, env: dict, work: Path) -> int:
    """Instructions of one child run (callgrind's total): this file run as a script, with tree's
    cynic_app on the path (a baseline's tree need not have this file)."""
    name = f"{scenario}.{size}.{calls}.{uuid.uuid4().hex[:8]}"
    out = work / f"callgrind.{name}"
    env = {**env, "PYTHONPATH": str(tree), "CYNIC_HOME": str(work / f"home-{name}")}  # a node each
    command = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        sys.executable,
        __file__,
        "--child",
        scenario,
        str(work / f"body-{size}.json"),
        str(calls),
    ]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, timeout=3600)
    found = COLLECTED_RE.search(done.stderr)
    if done.returncode != 0 or found is None:
        tail = done.stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{scenario} {size} ({tree}): callgrind failed: {tail}")
    out.unlink(missing_ok=True)
    return int(found.group(1))


def _per_call(tree: Path, scenario: str, size: str, env: dict, work: Path) -> int:
    short, long = CALLS[size]
    counts = [_count(tree, scenario, size, calls, env, work) for calls in (long, short)]
    return round((counts[0] - counts[1]) / (long - short))


def measure(
    database_urls: dict[str, str], *, trees: dict[str, Path] | None = None, sizes=tuple(CALLS), jobs: int = 2
) -> dict:
    """Instructions per call of every scenario, for every tree and size:
    {label: {size: {scenario: count}}}. trees: {label: source tree}, this one's by default.

    database_urls: one fresh database per size, primed here (by this tree's code) and shared by
    the trees: the dogs' memory is the same for all. Runs ``jobs`` children at once:
    instruction counts do not depend on what else runs."""
    from tests.support.bench import CONTENTS, PRIME

    trees = trees or {"after": ROOT}
    work = Path(tempfile.mkdtemp(prefix="cynic-instructions-"))
    try:
        envs = {}
        for size in sizes:
            body = {"reality": "CODE", "analysis": "QUALITY", "content": CONTENTS[size], "context": "bench"}
            body_file = work / f"body-{size}.json"
            body_file.write_text(json.dumps(body))  # as the load points send it
            envs[size] = {**os.environ, "PYTHONHASHSEED": "0", "CYNIC_DATABASE_URL": database_urls[size]}
            prime = {**envs[size], "PYTHONPATH": str(ROOT), "CYNIC_HOME": str(work / f"home-prime-{size}")}
            command = [sys.executable, __file__, "--child", "prime", str(body_file), str(PRIME)]
            subprocess.run(command, cwd=ROOT, env=prime, check=True, timeout=600)
        tasks = [(label, scenario, size) for size in sizes for scenario in SCENARIOS for label in trees]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            counts = list(pool.map(lambda t: _per_call(trees[t[0]], t[1], t[2], envs[t[2]], work), tasks))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results: dict = {label: {size: {} for size in sizes} for label in trees}
    for (label, scenario, size), count in zip(tasks, counts, strict=True):
        results[label][size][scenario] = count
    return results


LABELS = {
    "trivial": "trivial Flask app, one request",
    "request_without_judge": "the service's dry run without judge()",
    "judge": "judge() alone",
    "request": "the service's dry run, whole",
}


def table(results: dict) -> str:
    """The counts as Markdown: per tree, each request's ratio to the trivial app's; with two
    trees (before, after), after / before per scenario."""
    labels = list(results)
    sizes = list(results[labels[0]])
    lines = [
        "| instructions per call (callgrind) | " + " | ".join(sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for scenario in SCENARIOS:
        for label in labels:
            cells = []
            for size in sizes:
                count, trivial = results[label][size][scenario], results[label][size]["trivial"]
                ratio = "" if scenario in ("trivial", "judge") else f" ({count / trivial:.2f} × trivial)"
                cells.append(f"{count / 1000:,.0f}k{ratio}")
            name = LABELS[scenario] + (f", {label}" if len(labels) > 1 else "")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        if len(labels) == 2:
            before, after = (results[label] for label in labels)
            change = [f"{after[s][scenario] / before[s][scenario] - 1:+.1%}" for s in sizes]
            lines.append(f"| {LABELS[scenario]}, {labels[1]} / {labels[0]} | " + " | ".join(change) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="one scenario of tests/support/instructions.py")
    parser.add_argument("--child", nargs=3, metavar=("SCENARIO", "BODY_FILE", "CALLS"), required=True)
    args = parser.parse_args(argv)
    scenario, body_file, calls = args.child
    _child(scenario, json.loads(Path(body_file).read_text()), int(calls))


if __name__ == "__main__":
    sys.path[0] = os.getcwd()  # run as a script (by path) in a tree: that tree's packages, not this folder
    main()
