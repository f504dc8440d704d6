"""scripts/bench: what full durability costs, measured on this machine, loopback only.

Starts a private PostgreSQL (fsync=on, synchronous_commit=on) and the service under gunicorn
with its shipped configuration, drives it with wrk (bounded in time) at several concurrencies,
and writes bench-results.json, a Markdown table (into docs/performance.md between its bench
markers, with --update-docs) and a PNG plot. Also measures replay speed for a journal of
--replay-records judgments, start-up time to /ready with that history settled, RSS growth of
the workers, and judging a 200-line Python file at MACRO.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

from .config import Config
from .embedded_pg import EmbeddedPostgres
from .harness import ROOT, Gunicorn, request
from .judgment import Cell, judge

BODY = {"reality": "CODE", "analysis": "QUALITY", "content": "def hello(): pass", "context": "test"}
SCENARIOS = ("durable", "dry_run", "get", "health")
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


# -- load generation -------------------------------------------------------------------------------


def wrk(port: int, path: str, *, concurrency: int, duration_s: int, script: Path | None) -> dict:
    """Run wrk against 127.0.0.1 and parse its report."""
    args = [
        "wrk",
        "-t",
        str(min(2, concurrency)),
        "-c",
        str(concurrency),
        "-d",
        f"{duration_s}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run(
        [*args, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration_s + 60,
    ).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value = float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
        result[f"p{pct}_ms"] = round(value, 3)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["errors"] = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return result


def lua_post(path: Path, body: dict) -> Path:
    path.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [[{json.dumps(body)}]]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return path


def counters(port: int) -> dict[str, float]:
    """The service's own counters, summed over workers, from /metrics."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    wanted = {
        "cynic_journal_fsyncs_total": "fsyncs",
        "cynic_db_commits_total": "commits",
        "cynic_journal_appends_total": "appends",
        "cynic_guidance_writes_total": "guidance_writes",
    }
    out = dict.fromkeys(wanted.values(), 0.0)
    for line in text.splitlines():
        name = line.split("{")[0].split(" ")[0]
        if name in wanted:
            out[wanted[name]] += float(line.split()[-1])
    return out


def worker_rss_mb(service: Gunicorn) -> list[float]:
    master = psutil.Process(service.process.pid)
    return sorted(round(w.memory_info().rss / 2**20, 1) for w in master.children())


# -- the measurements ------------------------------------------------------------------------------


def load_matrix(service: Gunicorn, work: Path, *, concurrencies, duration_s: int) -> list[dict]:
    post = lua_post(work / "post.lua", BODY)
    status, body = request(service.port, "POST", "/judge", BODY)
    assert status == 200, body
    get_path = f"/judge/{body['judgment_id']}"
    rows = []
    for c in concurrencies:
        for scenario in SCENARIOS:
            path, script = {
                "durable": ("/judge", post),
                "dry_run": ("/judge?dry_run=true", post),
                "get": (get_path, None),
                "health": ("/health", None),
            }[scenario]
            before = counters(service.port)
            result = wrk(service.port, path, concurrency=c, duration_s=duration_s, script=script)
            after = counters(service.port)
            row = {"scenario": scenario, "concurrency": c, **result}
            if scenario == "durable" and result["requests"]:
                row["fsyncs_per_request"] = round(
                    (after["fsyncs"] - before["fsyncs"]) / result["requests"], 3
                )
                row["commits_per_request"] = round(
                    (after["commits"] - before["commits"]) / result["requests"], 3
                )
            rows.append(row)
            print(
                f"  c={c:>3} {scenario:>8}: {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.2f} ms  "
                f"p99 {result['p99_ms']:7.2f} ms  errors {result['errors']}"
                + (
                    f"  fsyncs/req {row['fsyncs_per_request']}  commits/req {row['commits_per_request']}"
                    if "fsyncs_per_request" in row
                    else ""
                ),
                flush=True,
            )
    return rows


def rss_growth(service: Gunicorn, work: Path, *, first: int, then: int) -> dict:
    """Worker RSS after `first` and after `then` durable requests (driven with wrk, c=16)."""
    post = lua_post(work / "post.lua", BODY)
    start = counters(service.port)["appends"]

    def drive_until(total: int) -> None:
        while counters(service.port)["appends"] - start < total:
            wrk(service.port, "/judge", concurrency=16, duration_s=5, script=post)

    drive_until(first)
    at_first = worker_rss_mb(service)
    drive_until(then)
    at_then = worker_rss_mb(service)
    growth = max(b / a - 1 for a, b in zip(at_first, at_then, strict=False)) if at_first else 0.0
    return {
        "requests_first": first,
        "rss_mb_first": at_first,
        "requests_then": then,
        "rss_mb_then": at_then,
        "max_growth": round(growth, 4),
    }


def build_journal(journal_root: Path, n: int, *, segment_bytes: int = 64 * 2**20) -> None:
    """Write a closed journal of n judgment records the way the service does, quickly (no fsync
    per record: setup)."""
    from .durability.journal.layout import LOCK_NAME, new_journal_name, segment_name
    from .durability.journal.record import encode_payload, frame

    journal_dir = journal_root / new_journal_name()
    journal_dir.mkdir(parents=True, exist_ok=True)
    (journal_dir / LOCK_NAME).touch()
    template = judge(Cell.create(content="def hello(): pass", context="replay bench")).to_dict()
    out, size, seq = None, 0, 0
    for seq in range(1, n + 1):
        jid = str(uuid.uuid4())
        j = {**template, "judgment_id": jid, "cell": {**template["cell"], "cell_id": str(uuid.uuid4())}}
        line = frame(
            seq,
            time.time_ns(),
            seq - 1,
            encode_payload("judgment", jid, {"judgment": j, "created_at": "2026-11-25T00:00:00+00:00"}),
        )
        if out is None or size + len(line) > segment_bytes:
            if out is not None:
                out.close()
            out = open(journal_dir / segment_name(seq), "wb")  # noqa: SIM115 - closed on rotation
            size = 0
        out.write(line)
        size += len(line)
    if out is not None:
        out.close()


def replay_and_startup(work: Path, pg: EmbeddedPostgres, records: int) -> dict:
    """Replay `records` judgments into an empty database; then time a start to /ready."""
    from .startup import recover

    home = work / "replay-home"
    database = f"replay_{uuid.uuid4().hex[:8]}"
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    url = make_conninfo(pg.url, dbname=database)
    started = time.monotonic()
    build_journal(home / "journal", records)
    built_s = time.monotonic() - started
    print(f"  journal of {records} judgments written in {built_s:.1f}s; replaying…", flush=True)
    replay_started = time.monotonic()
    summary = recover(Config(home=home, database_url=url, node="bench"))
    replay_s = time.monotonic() - replay_started
    service = Gunicorn(home, url, workers=2)
    t0 = time.monotonic()
    service.start(timeout_s=120)
    ready_s = time.monotonic() - t0
    service.stop()
    return {
        "records": records,
        "applied": summary.applied,
        "replay_s": round(replay_s, 2),
        "replay_records_per_s": round(summary.applied / replay_s) if replay_s else None,
        "startup_to_ready_s": round(ready_s, 3),
    }


def judge_speed(runs: int = 300) -> dict:
    text = "\n\n".join(p.read_text() for p in sorted((ROOT / "tests/corpus/clean").glob("*.py")))
    lines = text.splitlines()
    while len(lines) < 200:
        lines += text.splitlines()
    cell = Cell.create(content="\n".join(lines[:200]) + "\n")
    for _ in range(30):
        judge(cell, level="MACRO")
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        judge(cell, level="MACRO")
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 3),
        "p99_ms": round(times[int(0.99 * (runs - 1))], 3),
    }


# -- reporting -------------------------------------------------------------------------------------


def table(results: dict) -> str:
    rows = results["load"]
    lines = [
        "| concurrency | scenario | req/s | p50 ms | p99 ms | errors | fsyncs/req | commits/req |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['concurrency']} | {r['scenario']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | "
            f"{r['p99_ms']:.2f} | {r['errors']} | {r.get('fsyncs_per_request', '')} | "
            f"{r.get('commits_per_request', '')} |"
        )
    by = {(r["scenario"], r["concurrency"]): r for r in rows}
    lines.append("")
    lines.append("| target | measured | met |")
    lines.append("|---|---|---|")
    for name, value, ok in targets(results, by):
        lines.append(f"| {name} | {value} | {'yes' if ok else 'no'} |")
    return "\n".join(lines)


def targets(results: dict, by: dict) -> list[tuple[str, str, bool]]:
    out = []
    if ("durable", 16) in by and ("dry_run", 16) in by:
        ratio = by["durable", 16]["rps"] / by["dry_run", 16]["rps"]
        out.append(("throughput durable / dry-run at c=16 ≥ 0.8", f"{ratio:.2f}", ratio >= 0.8))
        out.append(
            (
                "p99 durable at c=16 ≤ 25 ms",
                f"{by['durable', 16]['p99_ms']:.1f} ms",
                by["durable", 16]["p99_ms"] <= 25,
            )
        )
        fs = by["durable", 16].get("fsyncs_per_request")
        out.append(
            ("journal fsyncs per durable request at c=16 ≤ 0.5", f"{fs}", fs is not None and fs <= 0.5)
        )
    if ("durable", 1) in by and ("dry_run", 1) in by:
        gap = by["durable", 1]["p50_ms"] - by["dry_run", 1]["p50_ms"]
        out.append(("p50 durable − p50 dry-run at c=1 ≤ 2 ms", f"{gap:.2f} ms", gap <= 2))
    errors = sum(r["errors"] for r in results["load"])
    out.append(("zero errors under load", str(errors), errors == 0))
    if results.get("replay"):
        rate = results["replay"]["replay_records_per_s"] or 0
        out.append(("replay ≥ 50,000 records/s", f"{rate:,}/s", rate >= 50_000))
        ready = results["replay"]["startup_to_ready_s"]
        out.append(("start-up to ready < 2 s with the history settled", f"{ready:.2f} s", ready < 2))
    if results.get("rss"):
        growth = results["rss"]["max_growth"]
        out.append(
            (
                f"worker RSS after {results['rss']['requests_then']:,} within 10 % of after "
                f"{results['rss']['requests_first']:,}",
                f"{growth:+.1%}",
                growth <= 0.10,
            )
        )
    out.append(
        (
            "judge 200-line file at MACRO < 5 ms median",
            f"{results['judge']['median_ms']:.2f} ms",
            results["judge"]["median_ms"] < 5,
        )
    )
    return out


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for scenario, style in (("durable", "o-"), ("dry_run", "s--"), ("get", "^:"), ("health", "x:")):
        rows = sorted(
            (r for r in results["load"] if r["scenario"] == scenario), key=lambda r: r["concurrency"]
        )
        xs = [r["concurrency"] for r in rows]
        left.plot(xs, [r["rps"] for r in rows], style, label=scenario)
        right.plot(xs, [r["p99_ms"] for r in rows], style, label=scenario)
    for ax, title in ((left, "throughput (req/s)"), (right, "p99 latency (ms)")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("concurrent clients")
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend()
    right.set_yscale("log")
    fig.suptitle(f"cynic_app on {results['machine']['cores']} cores: durable vs dry-run")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def update_docs(markdown: str, doc: Path) -> None:
    text = doc.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    doc.write_text(text[:start] + "\n" + markdown + "\n" + text[end:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark cynic_app (loopback only, bounded in time).")
    parser.add_argument("--duration", type=int, default=10, help="seconds per load point")
    parser.add_argument("--concurrency", default="1,4,16,64")
    parser.add_argument("--replay-records", type=int, default=1_000_000)
    parser.add_argument("--rss-requests", default="10000,100000", help="FIRST,THEN durable requests")
    parser.add_argument("--quick", action="store_true", help="short points, small replay and RSS runs")
    parser.add_argument("--out", default=str(ROOT), help="directory for bench-results.json and bench.png")
    parser.add_argument("--update-docs", action="store_true", help="write the table and plot into docs/")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.replay_records, args.rss_requests = 3, 20_000, "1000,3000"
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed (scripts/bench installs it)", file=sys.stderr)
        return 2
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    first, then = (int(x) for x in args.rss_requests.split(","))
    work = Path(tempfile.mkdtemp(prefix="cynic-bench-"))
    work.chmod(0o711)
    pg = EmbeddedPostgres(work / "pg" / "data", settings={"fsync": "on", "synchronous_commit": "on"})
    results = {
        "machine": {
            "cores": psutil.cpu_count(),
            "python": platform.python_version(),
            "postgres_bin": str(pg.bin_dir),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        pg.start()
        print("judging a 200-line Python file at MACRO…", flush=True)
        results["judge"] = judge_speed()
        service = Gunicorn(work / "home", pg.url, workers=None)
        service.start()
        try:
            results["rss_before_mb"] = worker_rss_mb(service)
            print(f"load: {service.describe()}", flush=True)
            results["service"] = service.describe()
            results["load"] = load_matrix(
                service, work, concurrencies=concurrencies, duration_s=args.duration
            )
            results["rss_after_load_mb"] = worker_rss_mb(service)
            if first and then:
                print(f"worker RSS after {first} and {then} durable requests…", flush=True)
                results["rss"] = rss_growth(service, work, first=first, then=then)
        finally:
            service.stop()
        if args.replay_records:
            results["replay"] = replay_and_startup(work, pg, args.replay_records)
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    out = Path(args.out)
    (out / "bench-results.json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = table(results)
    print(markdown)
    plot(results, out / "bench.png")
    if args.update_docs:
        shutil.copy(out / "bench.png", ROOT / "docs" / "performance.png")
        update_docs(
            f"Measured {results['started']} with `scripts/bench` ({results['service']}):\n\n" + markdown,
            ROOT / "docs" / "performance.md",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
