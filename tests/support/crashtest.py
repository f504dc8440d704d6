"""Crash the service, PostgreSQL or the disk at random moments under churn; prove nothing
acknowledged is lost and nothing is refused without a fault.

Starts a private PostgreSQL and the service under gunicorn (loopback only) with tiny journal
segments and workers recycled every few dozen requests, drives clients in bursts (a few, then
many, so workers sit idle between bursts), and each round injects one fault at a random moment:

``service``   SIGKILL of the master and every worker, then a restart;
``postgres``  SIGKILL of the postmaster and its children, then a restart;
``disk``      the home's file system (a small tmpfs; root only) filled to the last block by a
              ballast file, then emptied again.

Then it checks:

- every id answered 200 is in PostgreSQL exactly once and readable through GET /judge/<id>;
- every id answered "not_written" is absent;
- every "unknown" outcome resolves (as committed) and a retry with its Idempotency-Key is
  answered without a second write;
- no request outside a fault's window was refused or went unanswered;
- while the disk is full every answer comes within 2 s; writes resume within 5 s of PostgreSQL
  or space coming back, without a restart;
- guidance.json parses and names a committed judgment;
- the journals and PostgreSQL agree (``cynic replay --verify``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from cynic_app.embedded_pg import EmbeddedPostgres
from tests.support.harness import ROOT, Gunicorn, Tmpfs, request

RECOVERY_LIMIT_S = 5.0
FULL_DISK_ANSWER_S = 2.0


@dataclass
class Attempt:
    key: str
    n: int  # the request body is a function of (key, n): a retry must send the same body
    status: int | None  # None: no answer (connection error)
    outcome: str  # ok, not_written, unknown, written, no_answer, rejected
    judgment_id: str | None
    started: float = 0.0
    ended: float = 0.0


@dataclass
class Round:
    number: int
    victim: str
    attempts: list[Attempt] = field(default_factory=list)
    fault_window: tuple[float, float] = (0.0, 0.0)
    recovery_s: float = 0.0
    violations: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for a in self.attempts if a.outcome == outcome)

    def outside_fault(self, attempt: Attempt) -> bool:
        start, end = self.fault_window
        return attempt.ended < start or attempt.started > end


def post(port: int, key: str, n: int, timeout_s: float = 10) -> Attempt:
    body = {"content": f"crash_{key} = {n}\n", "context": "crashtest"}
    started = time.monotonic()
    try:
        status, data = request(
            port, "POST", "/judge", body, timeout_s=timeout_s, headers={"Idempotency-Key": key}
        )
    except (OSError, http.client.HTTPException):  # refused, reset, or cut off mid-answer
        return Attempt(key, n, None, "no_answer", None, started, time.monotonic())
    ended = time.monotonic()
    if status == 200:
        return Attempt(key, n, status, "ok", data["judgment_id"], started, ended)
    details = (data or {}).get("error", {}).get("details", {})
    return Attempt(
        key, n, status, details.get("outcome", "rejected"), details.get("judgment_id"), started, ended
    )


class Load:
    """Clients in bursts: `quiet` clients for a phase, then `busy` ones, alternating."""

    def __init__(self, port_of, *, quiet: int, busy: int, tag: str, phase_s: float = 0.5):
        self.port_of, self.quiet, self.busy, self.tag, self.phase_s = port_of, quiet, busy, tag, phase_s
        self.attempts: list[Attempt] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(c,)) for c in range(busy)]

    def _client(self, c: int) -> None:
        n = 0
        while not self._stop.is_set():
            phase = int(time.monotonic() / self.phase_s)
            if c >= (self.busy if phase % 2 else self.quiet):
                time.sleep(0.02)  # this client sits out the quiet phase
                continue
            n += 1
            attempt = post(self.port_of(), f"{self.tag}c{c}-{n}", n, timeout_s=10)
            with self._lock:
                self.attempts.append(attempt)
            if attempt.outcome != "ok":
                time.sleep(0.05)

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()


class CrashTest:
    def __init__(
        self,
        *,
        workers: int,
        clients: int,
        seed: int,
        work: Path,
        segment_bytes: int,
        max_requests: int,
        disk: bool,
    ):
        self.rng = random.Random(seed)
        self.clients = clients
        self.work = work
        self.disk = Tmpfs(work / "disk", size="64m") if disk else None
        home = (self.disk.point if self.disk else work) / "home"
        self.pg = EmbeddedPostgres(work / "pg" / "data")
        env = {
            "CYNIC_SEGMENT_BYTES": str(segment_bytes),
            "CYNIC_MAX_REQUESTS": str(max_requests),
            "CYNIC_JOURNAL_RETENTION_BYTES": str(8 * 2**20),  # the archive must fit the small disk
        }
        self.service = Gunicorn(home, self.pg.url, workers=workers, env=env, log_dir=work)
        self.victims = ["service", "postgres"] + (["disk"] if disk else [])

    def run(self, rounds: int) -> list[Round]:
        self.pg.start()
        self.service.database_url = self.pg.url
        self.service.start()
        results = []
        victims = (self.victims * (rounds // len(self.victims) + 1))[:rounds]
        self.rng.shuffle(victims)
        try:
            for number, victim in enumerate(victims, start=1):
                result = self.round(number, victim)
                results.append(result)
                print_row(result)
        finally:
            self.service.stop()
            self.pg.stop()
            if self.disk is not None:
                self.disk.unmount()
        return results

    def round(self, number: int, victim: str) -> Round:
        result = Round(number, victim)
        with Load(lambda: self.service.port, quiet=1, busy=self.clients, tag=f"r{number}") as load:
            time.sleep(self.rng.uniform(0.3, 1.5))
            fault_start = time.monotonic()
            if victim == "service":
                self.service.kill()
                self.service.start()
                recovered = time.monotonic()
            elif victim == "postgres":
                self.pg.kill()
                time.sleep(self.rng.uniform(0.2, 1.0))
                self.pg.start()
                back = time.monotonic()
                result.recovery_s = self.wait_writable()
                recovered = back + result.recovery_s
            else:
                self.disk.fill()
                time.sleep(self.rng.uniform(0.5, 1.5))
                self.disk.free()
                back = time.monotonic()
                result.recovery_s = self.wait_writable()
                recovered = back + result.recovery_s
                full = [a for a in load.attempts if a.started >= fault_start and a.ended <= back]
                slow = [a for a in full if a.ended - a.started > FULL_DISK_ANSWER_S]
                result.violations += [
                    f"{a.key} took {a.ended - a.started:.1f}s with the disk full" for a in slow[:5]
                ]
            if result.recovery_s > RECOVERY_LIMIT_S:
                result.violations.append(
                    f"writes resumed {result.recovery_s:.1f}s after the {victim} returned"
                )
            result.fault_window = (fault_start, recovered)
            time.sleep(0.5)
        result.attempts = load.attempts
        refused = [a for a in result.attempts if a.outcome != "ok" and result.outside_fault(a)]
        result.violations += [f"{a.key} answered {a.status} {a.outcome} with no fault" for a in refused[:10]]
        self.settle_and_retry(result)
        self.verify(result)
        return result

    def wait_writable(self) -> float:
        started = time.monotonic()
        while time.monotonic() - started < 30:
            if post(self.service.port, f"probe-{time.monotonic_ns()}", 0, timeout_s=5).outcome == "ok":
                return time.monotonic() - started
            time.sleep(0.1)
        return time.monotonic() - started

    def settle_and_retry(self, result: Round) -> None:
        """Resolve doubt the way a client should: once /ready says so, retry with the same
        Idempotency-Key. Each worker's recovery timer resolves its records in doubt by itself;
        /ready only says whether it has (several answers in a row: any worker may answer)."""
        in_a_row, deadline = 0, time.monotonic() + 30
        while in_a_row < 4 * self.service.workers and time.monotonic() < deadline:
            in_a_row = in_a_row + 1 if request(self.service.port, "GET", "/ready")[0] == 200 else 0
            if not in_a_row:
                time.sleep(0.2)
        for attempt in [a for a in result.attempts if a.outcome in ("unknown", "no_answer")]:
            retry = post(self.service.port, attempt.key, attempt.n)
            if retry.outcome != "ok":
                result.violations.append(f"retry of {attempt.key} answered {retry.status} {retry.outcome}")
            elif attempt.outcome == "unknown" and retry.judgment_id != attempt.judgment_id:
                result.violations.append(f"unknown {attempt.judgment_id} was not resolved as committed")
            result.attempts.append(retry)

    def verify(self, result: Round) -> None:
        ok_ids = [a.judgment_id for a in result.attempts if a.outcome == "ok"]
        refused = [a.judgment_id for a in result.attempts if a.outcome == "not_written" and a.judgment_id]
        with psycopg.connect(self.pg.url) as conn:
            counts = dict(
                conn.execute(
                    "SELECT judgment_id::text, count(*) FROM judgments WHERE judgment_id = ANY(%s::uuid[])"
                    " GROUP BY 1",
                    (ok_ids + refused,),
                ).fetchall()
            )
            doubled = conn.execute(
                "SELECT body->'cell'->>'content', count(*) FROM judgments GROUP BY 1 HAVING count(*) > 1"
            ).fetchall()
        result.violations += [
            f"acknowledged {i} stored {counts.get(i, 0)} times" for i in set(ok_ids) if counts.get(i, 0) != 1
        ]
        result.violations += [f"'not_written' {i} is stored" for i in refused if counts.get(i)]
        result.violations += [f"one request stored {n} times: {c.strip()}" for c, n in doubled]
        for jid in set(ok_ids):
            if request(self.service.port, "GET", f"/judge/{jid}")[0] != 200:
                result.violations.append(f"acknowledged {jid} not readable")
        try:
            guidance = json.loads((self.service.home / "guidance.json").read_bytes())
            if guidance["judgment_id"] not in counts and not self.stored(guidance["judgment_id"]):
                result.violations.append(f"guidance names uncommitted {guidance['judgment_id']}")
        except (OSError, ValueError, KeyError) as exc:
            result.violations.append(f"guidance.json unreadable: {exc}")
        verify = subprocess.run(
            [sys.executable, "-m", "cynic_app.cli", "replay", "--verify"],
            env=self.service.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if verify.returncode != 0:
            result.violations.append(f"replay --verify: {verify.stdout.strip()} {verify.stderr.strip()}")

    def stored(self, judgment_id: str) -> bool:
        with psycopg.connect(self.pg.url) as conn:
            return (
                conn.execute("SELECT 1 FROM judgments WHERE judgment_id = %s", (judgment_id,)).fetchone()
                is not None
            )


HEADER = (
    f"{'round':>5} {'fault':>8} {'acked':>6} {'refused':>7} {'unknown':>7} {'written':>7} {'no answer':>9} "
    f"{'recovery':>8}  violations"
)


def print_row(r: Round) -> None:
    recovery = f"{r.recovery_s:.2f}s" if r.victim != "service" else "-"
    print(
        f"{r.number:>5} {r.victim:>8} {r.count('ok'):>6} {r.count('not_written'):>7} {r.count('unknown'):>7} "
        f"{r.count('written'):>7} {r.count('no_answer'):>9} {recovery:>8}  {len(r.violations)}",
        flush=True,
    )
    for v in r.violations[:10]:
        print(f"      ! {v}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Kill the service or PostgreSQL, or fill the disk, under load."
    )
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=6, help="clients in a burst (one between bursts)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--segment-bytes", type=int, default=4096, help="journal segment size (tiny: churn)")
    parser.add_argument("--max-requests", type=int, default=60, help="recycle each worker after this many")
    parser.add_argument("--no-disk", action="store_true", help="no full-disk rounds (they need root)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    disk = not args.no_disk and Tmpfs.available()
    work = Path(tempfile.mkdtemp(prefix="cynic-crashtest-"))
    work.chmod(0o711)  # our fresh directory: PostgreSQL's unprivileged user must reach its data
    print(
        f"crashtest: {args.rounds} rounds, bursts of {args.clients} clients, {args.workers} workers recycled "
        f"every {args.max_requests} requests, {args.segment_bytes}-byte segments, "
        f"faults: service, postgres{', disk' if disk else ''}; seed {seed}"
    )
    print(HEADER, flush=True)
    started = time.monotonic()
    try:
        test = CrashTest(
            workers=args.workers,
            clients=args.clients,
            seed=seed,
            work=work,
            segment_bytes=args.segment_bytes,
            max_requests=args.max_requests,
            disk=disk,
        )
        results = test.run(args.rounds)
        recycled = test.service.log_path.read_text(errors="replace").count("Autorestarting worker")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    violations = sum(len(r.violations) for r in results)
    acked = sum(r.count("ok") for r in results)
    kills = {v: sum(r.victim == v for r in results) for v in ("service", "postgres", "disk")}
    print(
        f"summary: {len(results)} rounds ({kills['service']} service kills, {kills['postgres']} PostgreSQL "
        f"kills, {kills['disk']} full disks), {recycled} workers recycled, {acked} acknowledged writes "
        f"checked, "
        f"{sum(r.count('not_written') for r in results)} refused during faults, {violations} violations, "
        f"{time.monotonic() - started:.0f}s, seed {seed}"
    )
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
