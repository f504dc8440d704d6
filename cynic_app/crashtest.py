"""Crash the service or PostgreSQL at random moments under load; prove nothing acknowledged is lost.

Starts a private PostgreSQL and the service under gunicorn (loopback only), drives concurrent
clients, and each round SIGKILLs either the whole service (master and workers) or PostgreSQL
(postmaster and children) at a random moment, restarts what it killed, and checks:

- every id answered 200 is in PostgreSQL exactly once and readable through GET /judge/<id>;
- every id answered "not_written" is absent;
- every "unknown" outcome resolves (as committed) and a retry with its Idempotency-Key is
  answered without a second write;
- guidance.json parses and names a committed judgment;
- the journal and PostgreSQL agree (``cynic replay --verify``);
- after PostgreSQL returns, the service accepts writes again within 5 s, without a restart.
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

from .embedded_pg import EmbeddedPostgres
from .harness import ROOT, Gunicorn, request

RECOVERY_LIMIT_S = 5.0


@dataclass
class Attempt:
    key: str
    n: int  # the request body is a function of (key, n): a retry must send the same body
    status: int | None  # None: no answer (connection error)
    outcome: str  # ok, not_written, unknown, no_answer, rejected
    judgment_id: str | None


@dataclass
class Round:
    number: int
    victim: str
    attempts: list[Attempt] = field(default_factory=list)
    recovery_s: float = 0.0
    violations: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for a in self.attempts if a.outcome == outcome)


def post(port: int, key: str, n: int, timeout_s: float = 10) -> Attempt:
    body = {"content": f"crash_{key} = {n}\n", "context": "crashtest"}
    try:
        status, data = request(
            port, "POST", "/judge", body, timeout_s=timeout_s, headers={"Idempotency-Key": key}
        )
    except (OSError, http.client.HTTPException):  # refused, reset, or cut off mid-answer
        return Attempt(key, n, None, "no_answer", None)
    if status == 200:
        return Attempt(key, n, status, "ok", data["judgment_id"])
    details = (data or {}).get("error", {}).get("details", {})
    return Attempt(key, n, status, details.get("outcome", "rejected"), details.get("judgment_id"))


def drive(port_of, stop: threading.Event, attempts: list, lock: threading.Lock, tag: str) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        attempt = post(port_of(), f"{tag}-{n}", n, timeout_s=5)
        with lock:
            attempts.append(attempt)
        if attempt.outcome != "ok":
            time.sleep(0.05)


class CrashTest:
    def __init__(self, *, workers: int, clients: int, seed: int, work: Path):
        self.rng = random.Random(seed)
        self.clients = clients
        self.work = work
        self.pg = EmbeddedPostgres(work / "pg" / "data")
        self.service = Gunicorn(work / "home", self.pg.url, workers=workers)

    def run(self, rounds: int) -> list[Round]:
        self.pg.start()
        self.service.database_url = self.pg.url
        self.service.start()
        results = []
        # Half the rounds kill each side, in a random order, at random moments.
        victims = (["service", "postgres"] * (rounds // 2 + 1))[:rounds]
        self.rng.shuffle(victims)
        try:
            for number, victim in enumerate(victims, start=1):
                result = self.round(number, victim)
                results.append(result)
                print_row(result)
        finally:
            self.service.stop()
            self.pg.stop()
        return results

    def round(self, number: int, victim: str) -> Round:
        result = Round(number, victim)
        stop, lock = threading.Event(), threading.Lock()
        threads = [
            threading.Thread(
                target=drive, args=(lambda: self.service.port, stop, result.attempts, lock, f"r{number}c{c}")
            )
            for c in range(self.clients)
        ]
        for t in threads:
            t.start()
        time.sleep(self.rng.uniform(0.3, 1.5))
        if victim == "service":
            self.service.kill()
            self.service.start()
        else:
            self.pg.kill()
            time.sleep(self.rng.uniform(0.2, 1.0))
            self.pg.start()
            result.recovery_s = self.wait_writable()
            if result.recovery_s > RECOVERY_LIMIT_S:
                result.violations.append(f"writes resumed {result.recovery_s:.1f}s after PostgreSQL returned")
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
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
        """Resolve doubt the way a client should: retry with the same Idempotency-Key."""
        for _ in range(4 * self.service.workers):
            request(self.service.port, "GET", "/ready")  # each worker settles its in-doubt records
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
    f"{'round':>5} {'killed':>8} {'acked':>6} {'refused':>7} {'unknown':>7} {'no answer':>9} "
    f"{'recovery':>8}  violations"
)


def print_row(r: Round) -> None:
    recovery = f"{r.recovery_s:.2f}s" if r.victim == "postgres" else "-"
    print(
        f"{r.number:>5} {r.victim:>8} {r.count('ok'):>6} {r.count('not_written'):>7} {r.count('unknown'):>7} "
        f"{r.count('no_answer'):>9} {recovery:>8}  {len(r.violations)}",
        flush=True,
    )
    for v in r.violations[:10]:
        print(f"      ! {v}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kill the service or PostgreSQL under load; verify.")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    work = Path(tempfile.mkdtemp(prefix="cynic-crashtest-"))
    work.chmod(0o711)  # our fresh directory: PostgreSQL's unprivileged user must reach its data
    print(f"crashtest: {args.rounds} rounds, {args.clients} clients, {args.workers} workers, seed {seed}")
    print(HEADER, flush=True)
    started = time.monotonic()
    try:
        results = CrashTest(workers=args.workers, clients=args.clients, seed=seed, work=work).run(args.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    violations = sum(len(r.violations) for r in results)
    acked = sum(r.count("ok") for r in results)
    kills = {v: sum(r.victim == v for r in results) for v in ("service", "postgres")}
    print(
        f"summary: {len(results)} rounds ({kills['service']} service kills, {kills['postgres']} PostgreSQL "
        f"kills), {acked} acknowledged writes checked, {violations} violations, "
        f"{time.monotonic() - started:.0f}s, seed {seed}"
    )
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
