"""What scripts/bench compares the service with, measured in the same run on the same machine:
a trivial Flask app under the same gunicorn layout, and the parts of a durable write alone (a
journal append and its fsync, a PostgreSQL commit of a 1 KB jsonb row, a guidance.json
replacement), alone and together in one loop; the service's own write path alone, called
in one thread with one record per batch; what one thread's wait for another costs here; and
``judge()`` alone. The service cannot answer faster than the first, nor make durability cost
much less than the second; the third is what its code adds to them; the fourth prices the waits
a durable request makes and a dry run does not (a request for its batch, a batch for the disk
and the server); a dry run does what the trivial app does and the fifth besides."""

from __future__ import annotations

import http.client
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import psycopg
from flask import Flask, request

from cynic_app.config import Config
from cynic_app.durability.fsio import atomic_write, install, write_temporary
from cynic_app.durability.guidance import GuidanceWriter
from cynic_app.durability.journal import JournalWriter
from cynic_app.embedded_pg import free_port
from cynic_app.judgment import Cell, Memory
from cynic_app.judgment import judge as judge_cell
from cynic_app.judgment.state import RECENT
from cynic_app.node.open import settle_node
from cynic_app.record import judgment_record
from cynic_app.service import utc_now
from cynic_app.service.write_path import WritePath
from cynic_app.service.writes import Write
from cynic_app.store.pool import make_pool

from .harness import ROOT

app = Flask(__name__)


@app.post("/judge")
def judge():
    """Parse the JSON body, answer a small JSON: the least a request of the service does."""
    body = request.get_json()
    return {"verdict": "WAG", "chars": len(body.get("content", ""))}


class TrivialApp:
    """The app above under gunicorn: the service's worker class is not used (gthread, the same
    number of workers and threads, the same keep-alive, each worker on a CPU of its own as the
    service's are: trivial_gunicorn.py), so this is what gunicorn and Flask cost."""

    def __init__(self, *, workers: int, threads: int, log_dir: Path):
        self.workers, self.threads, self.port = workers, threads, free_port()
        self.log_path = log_dir / f"trivial-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> TrivialApp:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:tests.support.trivial_gunicorn",
                 "-k", "gthread", "-w", str(self.workers),
                 "--threads", str(self.threads), "--keep-alive", "5", "-b", f"127.0.0.1:{self.port}",
                 "tests.support.limits:app"],
                # not from ROOT: gunicorn would read the service's gunicorn.conf.py there
                cwd=self.log_path.parent, env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=log, stderr=log, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("POST", "/judge", b'{"content": ""}', {"Content-Type": "application/json"})
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the trivial app did not start (see {self.log_path})")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)


def _p50_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def journal_fsync_ms(directory: Path, *, n: int = 2000) -> float:
    """p50 of appending a 200-byte line to a file and fsyncing it (the journal's step)."""
    path = directory / "fsync-probe.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    samples = []
    try:
        for _ in range(n):
            started = time.perf_counter()
            os.write(fd, b"x" * 199 + b"\n")
            os.fsync(fd)
            samples.append(time.perf_counter() - started)
    finally:
        os.close(fd)
        path.unlink()
    return _p50_ms(samples)


def guidance_replace_ms(directory: Path, *, n: int = 1000) -> float:
    """p50 of replacing a 1 KB file atomically (temporary file, fsync, rename, directory fsync)."""
    data = orjson.dumps({"padding": "x" * 1000})
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        atomic_write(directory / "guidance-probe.json", data)
        samples.append(time.perf_counter() - started)
    (directory / "guidance-probe.json").unlink()
    return _p50_ms(samples)


def pg_commit_ms(database_url: str, *, n: int = 2000) -> float:
    """p50 of one transaction inserting a 1 KB jsonb row and committing it (fsync=on), at c=1,
    over the same kind of connection the service uses."""
    body = orjson.dumps({"padding": "x" * 1000}).decode()
    samples = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS commit_probe (id bigserial PRIMARY KEY, body jsonb)")
        for _ in range(n):
            started = time.perf_counter()
            with conn.transaction():
                conn.execute("INSERT INTO commit_probe (body) VALUES (%s::jsonb)", (body,))
            samples.append(time.perf_counter() - started)
        conn.execute("DROP TABLE commit_probe")
    return _p50_ms(samples)


def chain_ms(directory: Path, database_url: str, *, n: int = 1000) -> dict[str, float]:
    """p50 of a durable write's three parts in one loop, in two arrangements alternating write by
    write: ``overlapped`` as the write path arranges them (service/write_path.py: the journal
    append; then, while the server runs the INSERT, the journal fsync and, in a thread beside
    it, guidance.json's temporary file written and fsynced; then COMMIT; then the rename and the
    directory fsync), and ``serial``, each part after the one before (the journal fsync, the
    INSERT and COMMIT, the temporary file, the rename and the directory fsync). Whether the
    overlap pays on this disk and server, and the least the parts cost together."""
    journal = directory / "chain-probe.jsonl"
    target = directory / "chain-probe.json"
    data = orjson.dumps({"padding": "x" * 1000})
    body = data.decode()
    insert = "INSERT INTO chain_probe (body) VALUES (%s::jsonb)"
    fd = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    samples: dict[str, list[float]] = {"overlapped": [], "serial": []}
    try:
        with (
            psycopg.connect(database_url, autocommit=True) as conn,
            ThreadPoolExecutor(1, thread_name_prefix="beside") as beside,
        ):
            conn.execute("CREATE TABLE IF NOT EXISTS chain_probe (id bigserial PRIMARY KEY, body jsonb)")
            for i in range(2 * n):
                started = time.perf_counter()
                os.write(fd, b"x" * 199 + b"\n")
                if i % 2 == 0:
                    with conn.pipeline():
                        conn.execute("BEGIN")
                        conn.execute(insert, (body,))
                        prepared = beside.submit(write_temporary, target, data)
                        os.fsync(fd)
                        conn.execute("COMMIT")
                    install(prepared.result(), target)
                else:
                    os.fsync(fd)
                    with conn.pipeline():
                        conn.execute("BEGIN")
                        conn.execute(insert, (body,))
                        conn.execute("COMMIT")
                    install(write_temporary(target, data), target)
                samples["serial" if i % 2 else "overlapped"].append(time.perf_counter() - started)
            conn.execute("DROP TABLE chain_probe")
    finally:
        os.close(fd)
        journal.unlink()
        target.unlink(missing_ok=True)
    return {arrangement: _p50_ms(s) for arrangement, s in samples.items()}


def write_path_ms(home: Path, database_url: str, *, n: int = 1000, warm_up: int = 100) -> dict[str, float]:
    """The service's own write path alone: ``WritePath.write`` called in this thread with one
    judgment of the one-line body per batch (journal append and fsync, one transaction,
    guidance.json replaced: service/write_path.py), on a node home and database of its own.
    Returns the p50 of a batch (``wall``) and the process's CPU per batch, user and system
    together, over the measured batches (``cpu``: the thread beside the batch included). What
    the write path's code adds to its three parts, without HTTP, gunicorn or other requests."""
    config = Config(home=home, database_url=database_url, node="write-path-probe", startup_timeout_s=30)
    settle_node(config)  # the home's layout and the database's schema, as at a start
    judgment = judge_cell(Cell.create(content="def hello(): pass\n")).to_dict()  # judged once
    pool = make_pool(database_url, min_size=1, max_size=2, timeout_s=1.0, statement_timeout_ms=5000)
    pool.open(wait=True)
    journal = JournalWriter(config.journal_dir)
    path = WritePath(journal=journal, pool=pool, guidance=GuidanceWriter(config.home), node=config.node)
    samples, cpu = [], 0.0
    try:
        for i in range(warm_up + n):
            write = Write.of(judgment_record(dict(judgment, judgment_id=str(uuid.uuid4())), utc_now()))
            before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
            path.write([write])
            elapsed, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
            if write.error is not None:
                raise RuntimeError(f"the write path refused a probe write: {write.error}")
            if i >= warm_up:
                samples.append(elapsed)
                cpu += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    finally:
        path.close()
        journal.close()
        pool.close()
    return {"wall": _p50_ms(samples), "cpu": round(cpu / n * 1000, 3)}


def judge_ms(content: str, *, n: int = 2000, warm_up: int = 200) -> float:
    """p50 of ``judge()`` of content in this process, its dogs' memory holding RECENT judgments
    of the same content, as the service's does once scripts/bench has primed it: what a dry run
    of it adds to what the trivial app does, before HTTP, validation and the response."""
    cell = Cell.create(content=content, context="bench")
    memory = Memory.from_judgments([judge_cell(cell) for _ in range(RECENT)])
    samples = []
    for i in range(warm_up + n):
        started = time.perf_counter()
        judge_cell(cell, memory=memory, judgment_id=str(uuid.uuid4()))
        if i >= warm_up:
            samples.append(time.perf_counter() - started)
    return _p50_ms(samples)


def handoff_us(*, n: int = 5000, rounds: int = 5) -> dict[str, float]:
    """Two threads of this process taking turns through two ``threading.Event``s, n turns a
    round, as a request waits for its batch's leader and is woken by it: per wait, the wall time
    from one thread's ``set`` to the other's return from ``wait`` (``wall``) and the CPU both
    threads spend per wait, user and system, the waker's ``set`` with the waiter's ``wait``
    (``cpu``), in microseconds, the median over the rounds. Where waking a thread is dear (a
    virtual machine's vCPU asleep is woken through its host), each wait a durable request makes
    and a dry run does not costs this much CPU more."""
    ping, pong = threading.Event(), threading.Event()

    def answer(cpu: list[float]) -> None:
        started = time.thread_time()
        for _ in range(n):
            ping.wait()
            ping.clear()
            pong.set()
        cpu.append(time.thread_time() - started)

    walls, cpus = [], []
    for _ in range(rounds):
        cpu: list[float] = []
        other = threading.Thread(target=answer, args=(cpu,), name="handoff-probe")
        other.start()
        started, own = time.perf_counter(), time.thread_time()
        for _ in range(n):
            ping.set()
            pong.wait()
            pong.clear()
        wall, own = time.perf_counter() - started, time.thread_time() - own
        other.join()
        walls.append(wall / (2 * n))
        cpus.append((own + cpu[0]) / (2 * n))
    return {"wall": round(statistics.median(walls) * 1e6, 1), "cpu": round(statistics.median(cpus) * 1e6, 1)}
