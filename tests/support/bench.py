"""scripts/bench: what durability costs, measured on this machine, loopback only, in one run.

For each content size — a one-liner, bisect.py (≈3 KB) and textwrap.py (≈20 KB), real Python
source — the service runs on a fresh database and is first primed with durable writes of that
content, so that the dogs' memory (the newest judgments) holds the same content in both modes:
dry-run and durable are then compared like with like. wrk measures dry-run and durable at c=1
and c=16; the service's own counters give journal fsyncs, transactions and guidance.json
replacements per request and the mean batch.

``--baseline REV`` runs the same points against the service at git revision REV (a temporary
worktree), under the same conditions: before and after, in one run. Also measured: judge()
against content size, where a request's time goes step by step (stepcost.py, a traced service
of its own), instructions per request counted by callgrind (instructions.py: the trivial app,
judge() alone, the dry run with and without judge(), for every tree measured), start-up to
/ready after a journal of N judgments, worker RSS growth with recycling off (with glibc's
default malloc arenas and with MALLOC_ARENA_MAX=2), and every target of docs/performance.md in
one table.
"""

from __future__ import annotations

import argparse
import bisect
import http.client
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import psutil
import psycopg
from psycopg import sql

from cynic_app.durability.journal.layout import LOCK_NAME, new_journal_name, segment_name
from cynic_app.durability.journal.record import encode_payload, frame
from cynic_app.embedded_pg import EmbeddedPostgres
from cynic_app.judgment import Cell, judge
from cynic_app.store.migrations import migrate
from tests.support import instructions, judge_speed, limits, stepcost
from tests.support.harness import ROOT, Gunicorn, request

CONTENTS = {
    "tiny": "def hello(): pass\n",
    "3KB": Path(bisect.__file__).read_text(),
    "20KB": Path(textwrap.__file__).read_text(),
}
PRIME = 120  # durable writes before measuring: more than the memory's 89 newest judgments
REPEATS = 5  # c=16 points per size and scenario: their spread is reported
WARM_UP_S = 3
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
COUNTERS = {
    "cynic_http_requests_total": "requests",
    "cynic_journal_fsyncs_total": "fsyncs",
    "cynic_db_commits_total": "commits",
    "cynic_guidance_writes_total": "guidance",
    "cynic_batch_records_sum": "batched",
    "cynic_batch_records_count": "batches",
    "cynic_journal_appends_total": "appends",
}


# -- load -------------------------------------------------------------------------------------


def wrk(port: int, path: str, body: dict, *, concurrency: int, duration_s: int, work: Path) -> dict:
    """Run wrk against 127.0.0.1 with a POST of body and parse its report."""
    script = work / f"post-{uuid.uuid4().hex[:8]}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [==[{json.dumps(body)}]==]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    out = subprocess.run(
        ["wrk", "-t", str(min(2, concurrency)), "-c", str(concurrency), "-d", f"{duration_s}s", "--latency",
         "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True, timeout=duration_s + 60,
    ).stdout  # fmt: skip
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        result[f"p{pct}_ms"] = round(
            float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)], 3
        )
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["errors"] = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return result


def describe(row: dict) -> str:
    line = (
        f"{row['rps']:8.1f} req/s  p50 {row['p50_ms']:7.2f} ms  p99 {row['p99_ms']:7.2f} ms  "
        f"errors {row['errors']}"
    )
    if row["scenario"] == "durable":
        line += (
            f"  fsyncs/req {row['fsyncs_per_request']}  commits/req {row['commits_per_request']}"
            f"  guidance/req {row['guidance_per_request']}  batch {row['mean_batch']}"
        )
    return line


def counters(port: int) -> dict[str, float]:
    """The service's own counters, summed over workers, from /metrics."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    out = dict.fromkeys(COUNTERS.values(), 0.0)
    for line in text.splitlines():
        name = line.split("{")[0].split(" ")[0]
        if name in COUNTERS and not line.startswith("#"):
            if name == "cynic_http_requests_total" and 'endpoint="/judge",method="POST"' not in line:
                continue
            out[COUNTERS[name]] += float(line.split()[-1])
    return out


def fresh_database(pg: EmbeddedPostgres) -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return psycopg.conninfo.make_conninfo(pg.url, dbname=name)


def service_for(
    pg, work: Path, label: str, *, root: Path, layout: tuple[int, int] | None, env=None
) -> Gunicorn:
    workers, threads = layout if layout else (None, None)
    home = work / f"home-{label}-{uuid.uuid4().hex[:6]}"
    return Gunicorn(
        home, fresh_database(pg), workers=workers, threads=threads, env=env or {}, log_dir=work, root=root
    )


def measure(
    service_port: int,
    path: str,
    body: dict,
    *,
    concurrency: int,
    duration_s: int,
    work: Path,
    scenario: str,
    **labels,
) -> dict:
    """One wrk point, with the service's own counters of what durability did per request."""
    before = counters(service_port) if scenario == "durable" else None
    result = wrk(service_port, path, body, concurrency=concurrency, duration_s=duration_s, work=work)
    row = {**labels, "scenario": scenario, "concurrency": concurrency, **result}
    if before is not None:
        after = counters(service_port)
        done = max(after["requests"] - before["requests"], 1)
        for name in ("fsyncs", "commits", "guidance"):
            row[f"{name}_per_request"] = round((after[name] - before[name]) / done, 3)
        batches = after["batches"] - before["batches"]
        row["mean_batch"] = round((after["batched"] - before["batched"]) / batches, 2) if batches else None
    return row


def load_points(
    services: list[tuple[str, Gunicorn]], work: Path, *, duration_s: int, repeats: int
) -> list[dict]:
    """Per content size, on primed services: dry-run and durable at c=1, then ``repeats``
    rounds of dry-run and durable at c=16, alternating (so drift hits both alike), after a
    warm-up at c=16 that is not counted. With several services (before and after) every point
    is measured on each in turn, the order swapped from one point of a scenario to its next:
    this machine's speed drifts by a quarter from minute to minute, and a comparison of
    services measured minutes apart would measure the drift."""
    rows = []
    for size, content in CONTENTS.items():
        body = {"reality": "CODE", "analysis": "QUALITY", "content": content, "context": "bench"}
        for _, service in services:
            for _ in range(PRIME):
                status, answer = request(service.port, "POST", "/judge", body)
                assert status == 200, answer
        rounds = [(16, scenario) for _ in range(repeats) for scenario in ("dry_run", "durable")]
        plan = [(1, "dry_run"), (1, "durable"), *rounds]
        for _, service in services:
            wrk(service.port, "/judge?dry_run=true", body, concurrency=16, duration_s=WARM_UP_S, work=work)
        for n, (concurrency, scenario) in enumerate(plan):
            path = "/judge?dry_run=true" if scenario == "dry_run" else "/judge"
            # The order flips every two points, so that it alternates within each scenario too
            # (flipping every point gave every durable point the same order: after, then before).
            for label, service in services if (n + 1) // 2 % 2 == 0 else services[::-1]:
                row = measure(service.port, path, body, concurrency=concurrency, duration_s=duration_s,
                              work=work, scenario=scenario, service=label, size=size)  # fmt: skip
                rows.append(row)
                print(f"  {label:>8} {size:>5} c={concurrency:<2} {scenario:>8}: {describe(row)}", flush=True)
    return rows


def trivial_points(work: Path, *, layout: tuple[int, int], duration_s: int, repeats: int) -> list[dict]:
    """The trivial Flask app under the same layout, with the tiny body: c=1, then c=16 repeats."""
    app = limits.TrivialApp(workers=layout[0], threads=layout[1], log_dir=work).start()
    body = {"reality": "CODE", "analysis": "QUALITY", "content": CONTENTS["tiny"], "context": "bench"}
    rows = []
    try:
        wrk(app.port, "/judge", body, concurrency=16, duration_s=WARM_UP_S, work=work)
        for concurrency in [1] + [16] * repeats:
            row = measure(app.port, "/judge", body, concurrency=concurrency, duration_s=duration_s, work=work,
                          scenario="trivial", service="trivial", size="tiny")  # fmt: skip
            rows.append(row)
            print(f"   trivial  tiny c={concurrency:<2}  trivial: {describe(row)}", flush=True)
    finally:
        app.stop()
    return rows


def parts(pg: EmbeddedPostgres, work: Path) -> dict:
    """What the durable steps cost alone, on this machine, now (tests/support/limits.py)."""
    probe = work / "parts"
    probe.mkdir(exist_ok=True)
    out = {
        "journal_fsync_ms": limits.journal_fsync_ms(probe),
        "pg_commit_ms": limits.pg_commit_ms(fresh_database(pg)),
        "guidance_replace_ms": limits.guidance_replace_ms(probe),
    }
    out["sum_ms"] = round(sum(out.values()), 3)
    chain = limits.chain_ms(probe, fresh_database(pg))
    out["serial_ms"], out["overlapped_ms"] = chain["serial"], chain["overlapped"]
    alone = limits.write_path_ms(probe / "write-path-home", fresh_database(pg))
    out["write_path_ms"], out["write_path_cpu_ms"] = alone["wall"], alone["cpu"]
    out["judge_tiny_ms"] = limits.judge_ms(CONTENTS["tiny"])
    print(f"  parts: {out}", flush=True)
    return out


# -- start-up with a big journal, memory ---------------------------------------------------------


def build_journal(journal_root: Path, n: int, *, segment_bytes: int = 64 * 2**20) -> None:
    """A closed journal of n judgment records, written the way the service writes them (without
    an fsync per record: this is setup)."""
    journal_dir = journal_root / new_journal_name()
    journal_dir.mkdir(parents=True)
    (journal_dir / LOCK_NAME).touch()
    template = judge(Cell.create(content="def hello(): pass", context="replay bench")).to_dict()
    out, size = None, 0
    for seq in range(1, n + 1):
        jid = str(uuid.uuid4())
        j = {**template, "judgment_id": jid, "cell": {**template["cell"], "cell_id": str(uuid.uuid4())}}
        payload = encode_payload("judgment", jid, {"judgment": j, "created_at": "2026-11-25T00:00:00+00:00"})
        line = frame(seq, time.time_ns(), seq - 1, payload)
        if out is None or size + len(line) > segment_bytes:
            if out is not None:
                out.close()
            out = open(journal_dir / segment_name(seq), "wb")  # noqa: SIM115 - closed on rotation
            size = 0
        out.write(line)
        size += len(line)
    if out is not None:
        out.close()


def startup_with_journal(pg: EmbeddedPostgres, work: Path, records: int) -> dict:
    """Start the service on a home whose journal holds `records` unsettled judgments: the time
    from start to /ready is start-up recovery (settling them all into PostgreSQL) included."""
    service = service_for(pg, work, "replay", root=ROOT, layout=(2, 4))
    build_started = time.monotonic()
    build_journal(service.home / "journal", records)
    print(f"  journal of {records:,} judgments built in {time.monotonic() - build_started:.1f}s", flush=True)
    started = time.monotonic()
    service.start(timeout_s=600)
    ready_s = time.monotonic() - started
    service.stop()
    with psycopg.connect(service.database_url) as conn:
        stored = conn.execute("SELECT count(*) FROM judgments").fetchone()[0]
    return {
        "records": records,
        "stored": stored,
        "start_to_ready_s": round(ready_s, 2),
        "records_per_s": round(records / ready_s),
        "copy_ceiling_rows_per_s": copy_ceiling(pg, service.database_url, rows=min(records, 200_000)),
    }


def copy_ceiling(pg: EmbeddedPostgres, source_url: str, *, rows: int) -> int:
    """PostgreSQL's own ingest rate for these judgments: the rows replay stored, copied out and
    COPYed in one transaction into the same (empty, migrated) table, with no Python in between.
    No replay into this schema can be faster."""
    with psycopg.connect(source_url) as src:
        query = sql.SQL("COPY (SELECT * FROM judgments LIMIT {}) TO STDOUT").format(sql.Literal(rows))
        with src.cursor().copy(query) as copy:
            data = b"".join(bytes(chunk) for chunk in copy)
    target = fresh_database(pg)
    with psycopg.connect(target, autocommit=True) as conn:
        migrate(conn)
        started = time.monotonic()
        with conn.transaction(), conn.cursor().copy("COPY judgments FROM STDIN") as copy:
            copy.write(data)
        elapsed = time.monotonic() - started
    return round(rows / elapsed)


def rss_growth(pg: EmbeddedPostgres, work: Path, *, first: int, then: int, arena: str | None) -> dict:
    """Worker RSS after `first` and after `then` durable requests, workers never recycled."""
    env = {"CYNIC_MAX_REQUESTS": "0", **({"MALLOC_ARENA_MAX": arena} if arena else {})}
    service = service_for(pg, work, f"rss{arena or ''}", root=ROOT, layout=None, env=env).start()
    body = {"reality": "CODE", "analysis": "QUALITY", "content": CONTENTS["3KB"], "context": "bench"}
    try:

        def drive_until(total: int) -> list[float]:
            while counters(service.port)["appends"] < total:
                wrk(service.port, "/judge", body, concurrency=16, duration_s=5, work=work)
            master = psutil.Process(service.process.pid)
            return sorted(round(w.memory_info().rss / 2**20, 1) for w in master.children())

        at_first = drive_until(first)
        at_then = drive_until(then)
    finally:
        service.stop()
    growth = max(b / a - 1 for a, b in zip(at_first, at_then, strict=False)) if at_first else 0.0
    label = f"MALLOC_ARENA_MAX={arena}" if arena else "glibc default arenas"
    return {"arena": label, "first": first, "rss_mb_first": at_first, "then": then,
            "rss_mb_then": at_then, "max_growth": round(growth, 4)}  # fmt: skip


def baseline_tree(rev: str, work: Path) -> Path:
    """The service at git revision rev, in a temporary worktree (removed afterwards)."""
    tree = work / f"baseline-{rev[:12]}"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
        check=True,
        capture_output=True,
    )
    return tree


# -- reporting ---------------------------------------------------------------------------------


def points(results: dict, service: str, size: str, scenario: str, concurrency: int) -> list[dict]:
    key = (service, size, scenario, concurrency)
    return [r for r in results["load"] if (r["service"], r["size"], r["scenario"], r["concurrency"]) == key]


def pair(results: dict, service: str, size: str, concurrency: int) -> tuple[list[dict], list[dict]]:
    """(durable points, dry-run points)."""
    return tuple(points(results, service, size, sc, concurrency) for sc in ("durable", "dry_run"))


def rps_range(rows: list[dict]) -> str:
    rps = [r["rps"] for r in rows]
    return f"{statistics.median(rps):.0f} [{min(rps):.0f}–{max(rps):.0f}]"


def median_of(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def spread(rows: list[dict]) -> float:
    """(max − min) / median of the req/s of repeated points."""
    rps = [r["rps"] for r in rows]
    return (max(rps) - min(rps)) / statistics.median(rps)


def summary(results: dict) -> str:
    lines = [
        "| content | service | c=1 p50 dry-run | c=1 p50 durable | durable − dry-run | "
        "c=16 dry-run req/s [min–max] | c=16 durable req/s [min–max] | durable / dry-run | "
        "c=16 p99 durable | fsyncs/req | commits/req | guidance/req | mean batch |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for service in results["services"]:
        for size in CONTENTS:
            (d1, r1), (d16, r16) = pair(results, service, size, 1), pair(results, service, size, 16)
            if not (d1 and r1 and d16 and r16):
                continue
            cells = [
                size,
                service,
                f"{r1[0]['p50_ms']:.2f} ms",
                f"{d1[0]['p50_ms']:.2f} ms",
                f"{d1[0]['p50_ms'] - r1[0]['p50_ms']:+.2f} ms",
                rps_range(r16),
                rps_range(d16),
                f"{median_of(d16, 'rps') / median_of(r16, 'rps'):.2f}",
                f"{median_of(d16, 'p99_ms'):.1f} ms",
                round(median_of(d16, "fsyncs_per_request"), 3),
                round(median_of(d16, "commits_per_request"), 3),
                round(median_of(d16, "guidance_per_request"), 3),
                round(statistics.median(r["mean_batch"] or 0 for r in d16), 2),
            ]
            lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    trivial = points(results, "trivial", "tiny", "trivial", 1)
    trivial16 = points(results, "trivial", "tiny", "trivial", 16)
    if trivial and trivial16:
        lines += [
            "",
            "| limit, same run | measured |",
            "|---|---:|",
            f"| trivial Flask app, same layout, c=1 p50 | {trivial[0]['p50_ms']:.2f} ms |",
            f"| trivial Flask app, same layout, c=16 req/s [min–max] | {rps_range(trivial16)} |",
        ]
    if results.get("parts"):
        p = results["parts"]
        lines += [
            f"| journal append + fsync (200 B), p50 | {p['journal_fsync_ms']:.3f} ms |",
            f"| PostgreSQL transaction of a 1 KB jsonb row (fsync=on), c=1 p50 "
            f"| {p['pg_commit_ms']:.3f} ms |",
            f"| guidance.json replacement (1 KB: write, fsync, rename, directory fsync), p50 "
            f"| {p['guidance_replace_ms']:.3f} ms |",
            f"| the three parts of a durable write, one after another | {p['sum_ms']:.3f} ms |",
        ]
        if "overlapped_ms" in p:  # runs recorded before it was measured lack it
            lines += [
                f"| the three parts in one loop, one after another, p50 | {p['serial_ms']:.3f} ms |",
                "| the three parts in one loop, overlapped as the write path overlaps them (journal fsync "
                "beside the INSERT and guidance.json's temporary file), p50 "
                f"| {p['overlapped_ms']:.3f} ms |",
            ]
        if "write_path_ms" in p:  # measured from the ninth stop of 2026-12-07 on
            lines += [
                "| the service's write path alone, one tiny record per batch (`WritePath.write` in one "
                f"thread), p50 | {p['write_path_ms']:.3f} ms |",
                "| the same: the process's CPU per batch, user and system "
                f"| {p['write_path_cpu_ms']:.3f} ms |",
            ]
        if "judge_tiny_ms" in p:  # measured from the tenth stop of 2026-12-07 on
            lines.append(f"| `judge()` of the tiny body in one process, its memory as the service's, p50 "
                         f"| {p['judge_tiny_ms']:.3f} ms |")  # fmt: skip
    return "\n".join(lines)


def load_targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """The targets of issue 24, from the "after" points of this run, and beside some of them a
    reference row (met: None), which is no target but what the target is measured against."""
    out = []
    d1, r1 = pair(results, "after", "tiny", 1)
    gap = d1[0]["p50_ms"] - r1[0]["p50_ms"]
    out.append(("c=1, tiny: durable p50 − dry-run p50 ≤ 0.6 ms", f"{gap:+.2f} ms", gap <= 0.6))
    if results.get("parts"):
        beyond = gap - results["parts"]["sum_ms"]
        name = "(reference) c=1, tiny: what durability adds beyond its three parts"
        out.append((name, f"{beyond:+.2f} ms", None))
        if "write_path_ms" in results["parts"]:
            code = results["parts"]["write_path_ms"] - results["parts"]["overlapped_ms"]
            name = "(reference) the write path alone beyond its three parts overlapped in one loop"
            out.append((name, f"{code:+.2f} ms", None))
    trivial = points(results, "trivial", "tiny", "trivial", 1)
    if trivial:
        times = r1[0]["p50_ms"] / trivial[0]["p50_ms"]
        out.append(("c=1, tiny: dry-run p50 ≤ 1.5 × the trivial app's p50", f"{times:.2f} ×", times <= 1.5))
        if "judge_tiny_ms" in results.get("parts", {}):
            floor = trivial[0]["p50_ms"] + results["parts"]["judge_tiny_ms"]
            name = (
                "(reference) c=1, tiny: the trivial app's p50 plus `judge()` alone, a floor under the dry run"
            )
            out.append((name, f"{floor:.2f} ms, {floor / trivial[0]['p50_ms']:.2f} ×", None))
    for size in CONTENTS:
        d16, r16 = pair(results, "after", size, 16)
        ratio = median_of(d16, "rps") / median_of(r16, "rps")
        out.append((f"c=16: durable / dry-run ≥ 0.8 ({size}, medians)", f"{ratio:.2f}", ratio >= 0.8))
    p99 = median_of(points(results, "after", "tiny", "durable", 16), "p99_ms")
    out.append(("c=16, tiny: durable p99 ≤ 25 ms (median of the repeats)", f"{p99:.1f} ms", p99 <= 25))
    for size in CONTENTS:
        worst = max(spread(points(results, "after", size, sc, 16)) for sc in ("dry_run", "durable"))
        n = len(points(results, "after", size, "durable", 16))
        out.append((f"c=16, {n} repeated points: (max − min) / median ≤ 15 % ({size}, worse scenario)",
                    f"{worst:.0%}", worst <= 0.15))  # fmt: skip
    trivial16 = points(results, "trivial", "tiny", "trivial", 16)
    if len(trivial16) > 1:  # how much the machine itself moves: the same layout, no judge, no disk
        name = f"(reference) c=16, {len(trivial16)} repeated points of the trivial app: (max − min) / median"
        out.append((name, f"{spread(trivial16):.0%}", None))
    return out


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    out = load_targets(results) if results["load"] else []
    if results.get("judge"):
        ms = {r["source"]: r["ms"] for r in results["judge"]["sources"] if r["level"] == "MICRO"}
        out.append(
            ("engine ≤ 1 ms for 3 KB (bisect.py, MICRO)", f"{ms['bisect.py']:.2f} ms", ms["bisect.py"] <= 1)
        )
        out.append(
            (
                "engine ≤ 6 ms for 20 KB (textwrap.py, MICRO)",
                f"{ms['textwrap.py']:.2f} ms",
                ms["textwrap.py"] <= 6,
            )
        )
        worst = max(r["ms"] for r in results["judge"]["hard"])
        out.append(
            ("a body at the content limit ≤ ~0.5 s (worst hard body, MACRO)", f"{worst:.0f} ms", worst <= 500)
        )
    if results.get("startup"):
        s = results["startup"]
        out.append(
            (f"replay ≥ 100k records/s ({s['records']:,} records, start-up to /ready)",
             f"{s['records_per_s']:,}/s ({s['start_to_ready_s']} s)", s["records_per_s"] >= 100_000)
        )  # fmt: skip
        if s.get("copy_ceiling_rows_per_s"):
            ceiling = s["copy_ceiling_rows_per_s"]
            share = f"{ceiling:,} rows/s (replay at {s['records_per_s'] / ceiling:.0%} of it)"
            name = "(reference) PostgreSQL's own COPY of the same rows into an empty judgments table"
            out.append((name, share, ceiling >= 100_000))
    for rss in results.get("rss", []):
        name = f"worker RSS growth {rss['first']:,} → {rss['then']:,} requests ≤ 10 %, recycling off"
        out.append((f"{name} ({rss['arena']})", f"{rss['max_growth']:+.1%}", rss["max_growth"] <= 0.10))
    if results["load"]:
        errors = sum(r["errors"] for r in results["load"] if r["service"] == "after")
        out.append(("zero errors under load", str(errors), errors == 0))
    return out


MET = {True: "yes", False: "no", None: "—"}  # None: a reference row, not a target


def report(results: dict) -> str:
    lines = [summary(results), ""] if results["load"] else []
    met = targets(results)
    if met:
        lines += ["| target | measured | met |", "|---|---|---|"]
        lines += [f"| {name} | {value} | {MET[ok]} |" for name, value, ok in met]
    if results.get("judge"):
        lines += ["", judge_speed.tables(results["judge"])]
    if results.get("breakdown"):
        lines += ["", stepcost.tables(results["breakdown"])]
    if results.get("instructions"):
        lines += ["", instructions.table(results["instructions"])]
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    sizes = list(CONTENTS)
    for ax, metric, title in ((axes[0], "rps", "req/s at c=16"), (axes[1], "p99_ms", "p99 ms at c=16")):
        width = 0.8 / (2 * len(results["services"]))
        for i, (service, scenario) in enumerate(
            (s, sc) for s in results["services"] for sc in ("dry_run", "durable")
        ):
            values = [
                median_of(rows, metric) if (rows := points(results, service, size, scenario, 16)) else 0
                for size in sizes
            ]
            ax.bar([x + i * width for x in range(len(sizes))], values, width, label=f"{service} {scenario}")
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(sizes))], sizes)
        ax.set_title(title)
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"cynic_app on {results['machine']['cores']} cores: durable vs dry-run, before and after")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def processor(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The processor's model as the kernel names it, with its family and model numbers (a VM's
    name is often only the vendor's line: "AMD EPYC"), so that runs on different machines are
    not compared as if they were one; "unknown" where /proc/cpuinfo does not say."""
    fields: dict[str, str] = {}
    try:
        text = cpuinfo.read_text()
    except OSError:
        return "unknown"
    for line in text.splitlines():
        if not line.strip():
            break  # the first processor's block is enough
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    name = fields.get("model name")
    if not name:
        return "unknown"
    numbers = [f"{k} {fields[k]}" for k in ("cpu family", "model") if k in fields]
    return f"{name} ({', '.join(numbers)})" if numbers else name


def head_commit() -> str:
    """The short hash of the checked-out commit, with "+changes" when the tree differs from it."""
    rev = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True)
    commit = rev.stdout.strip() or "unknown"
    return f"{commit}+changes" if dirty.stdout.strip() else commit


def docs_heading(results: dict, argv: list[str], *, commit: str) -> str:
    """The line above the tables in docs/performance.md: when, with which command, on what."""
    services = "; ".join(f"{k}: {v}" for k, v in results.get("layouts", {}).items())
    before = f", before = {results['baseline']}" if results.get("baseline") else ""
    command = " ".join(["scripts/bench", *argv])
    return (
        f"Measured {results['started']} with `{command}` at {commit}, on "
        f"{results['machine']['cores']} cores of {results['machine']['cpu']} ({services}{before}):"
    )


def update_docs(markdown: str, doc: Path) -> None:
    text = doc.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    doc.write_text(text[:start] + "\n" + markdown + "\n" + text[end:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark cynic_app (loopback only, bounded in time).")
    parser.add_argument("--duration", type=int, default=8, help="seconds per load point")
    parser.add_argument(
        "--baseline", default=None, help="git revision to measure as 'before' in the same run"
    )
    parser.add_argument("--repeats", type=int, default=REPEATS, help="c=16 points per size and scenario")
    parser.add_argument("--layout", default=None, help="WORKERSxTHREADS instead of the shipped default")
    parser.add_argument("--startup-records", type=int, default=1_000_000)
    parser.add_argument("--rss-requests", default="10000,100000", help="FIRST,THEN durable requests")
    parser.add_argument("--no-judge", action="store_true", help="skip the judge() size sweep")
    parser.add_argument(
        "--only",
        choices=("judge", "load", "breakdown", "instructions", "startup", "rss"),
        default=None,
        help="measure one part only",
    )
    parser.add_argument("--quick", action="store_true", help="short points, small start-up and RSS runs")
    parser.add_argument("--out", default=str(ROOT), help="directory for bench-results.json and bench.png")
    parser.add_argument("--update-docs", action="store_true", help="write the tables and plot into docs/")
    args = parser.parse_args(argv)
    if args.update_docs and args.only not in (None, "load"):
        parser.error(
            "--update-docs writes the load tables (and, on a full run, the plots): "
            "use it without --only, or with --only load"
        )
    if args.quick:
        args.duration, args.startup_records, args.rss_requests, args.repeats = 4, 20_000, "1000,3000", 2
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed (scripts/bench installs it)", file=sys.stderr)
        return 2
    layout = tuple(int(x) for x in args.layout.split("x")) if args.layout else None
    first, then = (int(x) for x in args.rss_requests.split(","))
    work = Path(tempfile.mkdtemp(prefix="cynic-bench-"))
    work.chmod(0o711)
    pg = EmbeddedPostgres(work / "pg" / "data", settings={"fsync": "on", "synchronous_commit": "on"})
    results = {
        "machine": {
            "cores": psutil.cpu_count(),
            "cpu": processor(),
            "python": platform.python_version(),
            "postgres_bin": str(pg.bin_dir),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "services": ["after"],
        "load": [],
    }
    trees = []
    try:
        pg.start()
        parts_ = ("judge", "load", "breakdown", "instructions", "startup", "rss")
        wanted = {part: args.only in (None, part) for part in parts_}
        if args.baseline and (wanted["load"] or wanted["instructions"]):
            trees.append(baseline_tree(args.baseline, work))
        if wanted["judge"] and not args.no_judge:
            print("judge() against content size…", flush=True)
            results["judge"] = judge_speed.measure(runs=9 if args.quick else 15)
        runs = [("after", ROOT)] if wanted["load"] else []
        if trees:
            results["baseline"] = args.baseline
        if trees and runs:
            runs.insert(0, ("before", trees[0]))
            results["services"] = ["before", "after"]
        services: list[tuple[str, Gunicorn]] = []
        try:
            for label, root in runs:  # all started first: their points are measured in turn
                service = service_for(
                    pg, work, label, root=root, layout=layout, env={"CYNIC_MAX_REQUESTS": "0"}
                )
                services.append((label, service))
                service.start(timeout_s=60)
                results.setdefault("layouts", {})[label] = service.describe()
                print(f"load: {label} ({root}), {service.describe()}", flush=True)
            if services:
                results["load"] += load_points(services, work, duration_s=args.duration, repeats=args.repeats)
        finally:
            for _, service in services:
                service.stop()
        if wanted["load"]:
            shipped = (service.workers, service.threads)
            results["load"] += trivial_points(
                work, layout=shipped, duration_s=args.duration, repeats=args.repeats
            )
            results["parts"] = parts(pg, work)
        if wanted["breakdown"]:
            print("where a request's time goes (a traced service of its own)…", flush=True)
            tiny = {"reality": "CODE", "analysis": "QUALITY", "content": CONTENTS["tiny"], "context": "bench"}
            results["breakdown"] = stepcost.measure(
                pg, work, duration_s=args.duration, wrk=wrk, service_for=service_for, prime=PRIME, body=tiny
            )
            print(stepcost.tables(results["breakdown"]), flush=True)
        if wanted["instructions"]:
            print("instructions per request (callgrind; minutes)…", flush=True)
            urls = {size: fresh_database(pg) for size in CONTENTS}
            labelled = dict([("before", trees[0])] if trees else []) | {"after": ROOT}
            results["instructions"] = instructions.measure(urls, trees=labelled)
            print(instructions.table(results["instructions"]), flush=True)
        if wanted["startup"] and args.startup_records:
            print(f"start-up with {args.startup_records:,} journaled judgments…", flush=True)
            results["startup"] = startup_with_journal(pg, work, args.startup_records)
        if wanted["rss"] and first and then:
            results["rss"] = []
            for arena in (None, "2"):
                print(
                    f"worker RSS after {first:,} and {then:,} requests (MALLOC_ARENA_MAX={arena})…",
                    flush=True,
                )
                results["rss"].append(rss_growth(pg, work, first=first, then=then, arena=arena))
    finally:
        pg.stop()
        for tree in trees:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
        shutil.rmtree(work, ignore_errors=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench-results.json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = report(results)
    print(markdown)
    if results["load"]:
        plot(results, out / "bench.png")
    if args.update_docs:
        if args.only is None:
            shutil.copy(out / "bench.png", ROOT / "docs" / "performance.png")
            if results.get("judge"):
                judge_speed.plot(results["judge"]["sweep"], ROOT / "docs" / "judge-speed.png")
        heading = docs_heading(results, argv if argv is not None else sys.argv[1:], commit=head_commit())
        update_docs(f"{heading}\n\n{markdown}", ROOT / "docs" / "performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
