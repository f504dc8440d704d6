"""A probe for issue 24, not the service: what would a write path in a process of its own cost?

The breakdown (docs/performance.md) found a durable request at c=16 costing about twice a dry
run's CPU, most of it not in the batch's own steps but in the judging process around them. This
probe measures three services side by side, the same tree under the same gunicorn layout,
alternating their points (c=16, tiny body, durable; and the dry run of the first, for the ratio):

- ``in-process``: the service as shipped (each worker's group commit runs its batches);
- ``writer``: each request's record goes over a Unix socket to one process of the node that
  reads every record waiting on any connection, runs them through the real write path
  (``WritePath.write``: journal, PostgreSQL, guidance.json) as one batch, and answers each; it
  waits up to ``--gather`` seconds after a batch's first record for more;
- ``sleep``: the request sleeps for as long as a batch takes instead of persisting anything,
  which is what a free write path would cost the judging process.

It reports req/s, latency and the CPU per request of the workers, of the writer and of
PostgreSQL (psutil). The writer is a measuring device: it has no failure handling, recovery or
stopping of its own, and it is never started by the service.

Usage: .venv/bin/python -m tests.support.writer_probe [--pairs 4] [--duration 5] [--gather 0.002]
"""

from __future__ import annotations

import argparse
import os
import pickle
import selectors
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

MODE = "CYNIC_PROBE_MODE"  # in-process (unset), "writer" or "sleep"
SOCKET = "CYNIC_PROBE_WRITER"  # the writer's Unix socket
SLEEP_S = "CYNIC_PROBE_SLEEP_S"
_HEADER = struct.Struct("!I")


# -- the worker's side (installed by writer_probe_conf, before gunicorn forks) ------------------


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("the writer closed the connection")
        buf += chunk
    return bytes(buf)


def _send(sock: socket.socket, value) -> None:
    data = pickle.dumps(value)
    sock.sendall(_HEADER.pack(len(data)) + data)


def _receive(sock: socket.socket):
    (n,) = _HEADER.unpack(_recv_exactly(sock, _HEADER.size))
    return pickle.loads(_recv_exactly(sock, n))


def install() -> None:
    """Replace Service._persist as the mode says (nothing when unset)."""
    from cynic_app.service import Service, Written

    mode = os.environ.get(MODE)
    local = threading.local()

    def remote(self, write):
        if getattr(local, "pid", None) != os.getpid():  # one connection per thread of a worker
            local.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            local.sock.connect(os.environ[SOCKET])
            local.pid = os.getpid()
        _send(local.sock, write.record)
        kind, value = _receive(local.sock)
        if kind == "error":
            raise value
        return Written(value, replayed=False)

    def sleep(self, write):
        time.sleep(float(os.environ[SLEEP_S]))
        return Written(write.record.answer(), replayed=False)

    if mode == "writer":
        Service._persist = remote
    elif mode == "sleep":
        Service._persist = sleep


# -- the writer ---------------------------------------------------------------------------------


def serve(path: str, gather_s: float) -> None:
    """Run the node's write path for every worker's records, one batch at a time (never returns)."""
    from cynic_app.config import Config
    from cynic_app.node.runtime import Runtime
    from cynic_app.service.writes import Write

    write_path = Runtime(Config.from_env(), recovered_by=f"probe writer {os.getpid()}").service().write_path
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(128)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    buffers: dict[socket.socket, bytearray] = {}
    pending: list[tuple[socket.socket, Write]] = []
    first = 0.0
    batches = records = 0
    print("writer ready", flush=True)
    while True:
        timeout = None if not pending else max(0.0, first + gather_s - time.monotonic())
        for key, _ in selector.select(timeout):
            if key.fileobj is listener:
                conn, _ = listener.accept()
                selector.register(conn, selectors.EVENT_READ)
                buffers[conn] = bytearray()
                continue
            conn = key.fileobj
            chunk = conn.recv(1 << 20)
            if not chunk:
                selector.unregister(conn)
                conn.close()
                del buffers[conn]
                continue
            buf = buffers[conn]
            buf += chunk
            while len(buf) >= _HEADER.size and len(buf) >= _HEADER.size + _HEADER.unpack_from(buf)[0]:
                n = _HEADER.unpack_from(buf)[0]
                record = pickle.loads(bytes(buf[_HEADER.size : _HEADER.size + n]))
                del buf[: _HEADER.size + n]
                if not pending:
                    first = time.monotonic()
                pending.append((conn, Write.of(record)))
        if not pending or time.monotonic() < first + gather_s:
            continue
        batch, pending = pending, []
        batches, records = batches + 1, records + len(batch)
        if batches % 100 == 0:
            print(f"{batches} batches, {records} records", file=sys.stderr, flush=True)
        write_path.write([w for _, w in batch])  # sets each write's error; raises on a bug only
        for conn, w in batch:
            _send(conn, ("error", w.error) if w.error is not None else ("ok", w.record.answer()))


# -- the comparison -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    from cynic_app.embedded_pg import EmbeddedPostgres
    from tests.support import bench
    from tests.support.harness import Gunicorn, request
    from tests.support.stepcost import cpu_seconds

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=4, help="rounds of the three services")
    parser.add_argument("--duration", type=int, default=5, help="seconds per point")
    parser.add_argument("--gather", type=float, default=0.002, help="the writer's wait for more records")
    parser.add_argument("--sleep", type=float, default=0.002, help="the sleep instead of persisting")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cynic-probe-"))
    work.chmod(0o711)
    pg = EmbeddedPostgres(work / "pg" / "data", settings={"fsync": "on", "synchronous_commit": "on"})
    modes = {
        "in-process": {},
        "writer": {MODE: "writer", SOCKET: str(work / "writer.sock")},
        "sleep": {MODE: "sleep", SLEEP_S: str(args.sleep)},
    }
    services: dict[str, Gunicorn] = {}
    writer = None
    body = {"reality": "CODE", "analysis": "QUALITY", "content": bench.CONTENTS["tiny"], "context": "bench"}
    rows: dict[str, list[dict]] = {mode: [] for mode in ("dry-run", *modes)}
    try:
        pg.start()
        for mode, env in modes.items():
            home = work / f"home-{mode}"
            services[mode] = Gunicorn(
                home, bench.fresh_database(pg), workers=None, threads=None, log_dir=work,
                env={"CYNIC_MAX_REQUESTS": "0", **env}, config="tests.support.writer_probe_conf",
            ).start(timeout_s=60)  # fmt: skip
            if mode == "writer":
                writer_env = {k: v for k, v in services[mode].env().items() if k not in (MODE, SOCKET)}
                writer = subprocess.Popen(
                    [sys.executable, "-m", "tests.support.writer_probe", "--serve", env[SOCKET],
                     "--gather", str(args.gather)],
                    env=writer_env, stdout=subprocess.PIPE, stderr=open(work / "writer.log", "w"), text=True,
                )  # fmt: skip
                assert "ready" in writer.stdout.readline()
            for _ in range(bench.PRIME):
                status, answer = request(services[mode].port, "POST", "/judge", body)
                assert status == 200, answer
            bench.wrk(services[mode].port, "/judge", body, concurrency=16, duration_s=3, work=work)
        postmaster = psutil.Process(pg.process.pid)
        for n in range(args.pairs):
            order = list(rows) if n % 2 == 0 else list(rows)[::-1]
            for mode in order:
                service = services["in-process" if mode == "dry-run" else mode]
                path = "/judge?dry_run=true" if mode == "dry-run" else "/judge"
                watched = {
                    "workers": psutil.Process(service.process.pid).children(),
                    "writer": [psutil.Process(writer.pid)] if mode == "writer" else [],
                    "postgres": [postmaster, *postmaster.children(recursive=True)],
                }
                before = {k: cpu_seconds(v) for k, v in watched.items()}
                row = bench.wrk(service.port, path, body, concurrency=16, duration_s=args.duration,
                                work=work)  # fmt: skip
                for k, v in watched.items():
                    row[f"cpu_{k}_ms"] = (cpu_seconds(v) - before[k]) / row["requests"] * 1000
                rows[mode].append(row)
                print(f"  {mode:>10}: {row['rps']:7.1f} req/s  p50 {row['p50_ms']:6.2f}  "
                      f"p99 {row['p99_ms']:6.2f} ms  errors {row['errors']}", flush=True)  # fmt: skip
        counts = (work / "writer.log").read_text().splitlines()[-1].split()
        print(f"the writer's mean batch (priming included): {int(counts[2]) / int(counts[0]):.2f} records")
    finally:
        if writer is not None:
            writer.kill()
            writer.wait()
        for service in services.values():
            service.stop()
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    dry = statistics.median(r["rps"] for r in rows["dry-run"])
    print("\n| c=16, tiny | req/s [min–max] | / dry-run | p99 | CPU/request: workers | writer | PostgreSQL |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mode, rs in rows.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0] if k.startswith(("rps", "p99", "cpu"))}
        low, high = min(r["rps"] for r in rs), max(r["rps"] for r in rs)
        print(f"| {mode} | {med['rps']:.0f} [{low:.0f}–{high:.0f}] | {med['rps'] / dry:.2f} "
              f"| {med['p99_ms']:.1f} ms | {med['cpu_workers_ms']:.2f} ms | {med['cpu_writer_ms']:.2f} ms "
              f"| {med['cpu_postgres_ms']:.2f} ms |")  # fmt: skip
    return 0


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve(sys.argv[sys.argv.index("--serve") + 1], float(sys.argv[sys.argv.index("--gather") + 1]))
    else:
        sys.exit(main())
