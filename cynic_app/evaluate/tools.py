"""Run the judge, bandit, ruff and eslint-plugin-security on the same files, and read what each
reports.

Each tool answers, per file: its findings (line, CWE, rule id, whether it is a security
finding), the judge's verdict, and the time it took. bandit and ruff run as the user's own
commands would (``bandit -f json``, ``ruff check --select S``); their rule ids are mapped to
CWEs by the tables below (bandit's own CWE field files MD5 under 327 and ``exec`` under 78, so
its ids are mapped the same way as ruff's, which reports no CWE at all). A tool that is not
installed is reported as missing, never silently scored as zero.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

JUDGE, BANDIT, RUFF = "cynic", "bandit", "ruff"
ESLINT = "eslint-security"  # JavaScript and TypeScript: eslint.py
TOOLS = (JUDGE, BANDIT, RUFF, ESLINT)

#: bandit test id -> CWE, from bandit's documentation (security meaning, not bandit's CWE field).
BANDIT_CWE = {
    "B101": 703, "B102": 94, "B103": 732, "B104": 605, "B105": 798, "B106": 798, "B107": 798,
    "B108": 377, "B110": 390, "B112": 390, "B113": 1088, "B201": 489, "B202": 22, "B301": 502,
    "B302": 502, "B303": 328, "B304": 327, "B305": 327, "B306": 377, "B307": 94, "B308": 79,
    "B310": 918, "B311": 330, "B312": 319, "B313": 611, "B314": 611, "B315": 611, "B316": 611,
    "B317": 611, "B318": 611, "B319": 611, "B320": 611, "B321": 319, "B323": 295, "B324": 328,
    "B401": 319, "B402": 319, "B403": 502, "B404": 78, "B405": 611, "B406": 611, "B407": 611,
    "B408": 611, "B409": 611, "B410": 611, "B411": 611, "B412": 287, "B413": 327, "B415": 327,
    "B501": 295, "B502": 327, "B503": 327, "B504": 327, "B505": 326, "B506": 502, "B507": 295,
    "B508": 319, "B509": 327, "B601": 78, "B602": 78, "B603": 78, "B604": 78, "B605": 78,
    "B606": 78, "B607": 78, "B608": 89, "B609": 78, "B610": 89, "B611": 89, "B612": 94,
    "B613": 838, "B614": 502, "B615": 494, "B701": 79, "B702": 79, "B703": 79, "B704": 79,
}  # fmt: skip
#: ruff's flake8-bandit codes are bandit's ids with S for B.
RUFF_CWE = {"S" + code[1:]: cwe for code, cwe in BANDIT_CWE.items()}


@dataclass(frozen=True)
class ToolFinding:
    line: int
    cwe: int
    rule: str
    security: bool
    #: the tool says it is sure: the judge's confidence >= 0.5 (a finding that counts as what its
    #: rule is); bandit's MEDIUM or HIGH confidence; ruff states none, so all of its
    sure: bool = True


@dataclass
class FileResult:
    findings: list[ToolFinding] = field(default_factory=list)
    verdict: str = ""  # the judge's only
    ms: float = 0.0


class ToolMissing(RuntimeError):
    """A comparison tool is not installed."""


def run_tool(tool: str, paths: list[Path], *, level: str | None = None, jobs: int | None = None):
    """{path: FileResult} for every path, as tool reports them."""
    if tool == JUDGE:
        return run_judge(paths, level=level, jobs=jobs)
    if tool == BANDIT:
        return run_bandit(paths)
    if tool == RUFF:
        return run_ruff(paths)
    if tool == ESLINT:
        from .eslint import run_eslint

        return run_eslint(paths)
    raise ValueError(f"unknown tool {tool!r}: one of {', '.join(TOOLS)}")


# -- the judge, in-process, one worker per core ------------------------------------------------


def run_judge(paths: list[Path], *, level: str | None = None, jobs: int | None = None) -> dict:
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(paths) < 8:
        return {p: judge_file(p, level) for p in paths}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(judge_file, paths, [level] * len(paths), chunksize=16)
        return dict(zip(paths, results, strict=True))


def judge_file(path: Path, level: str | None = None) -> FileResult:
    """The judge's findings and verdict for one file, as `cynic judge` reads it."""
    from ..judgment import Cell, judge
    from ..judgment.rules import RULES

    text = path.read_text(errors="replace")
    started = time.perf_counter()
    j = judge(Cell.create(content=text, context=f"file: {path.name}"), level=level)
    ms = (time.perf_counter() - started) * 1000.0
    findings = [
        ToolFinding(
            f["line"],
            f.get("cwe") or 0,
            f["rule"],
            RULES[f["rule"]].kind == "security",
            f["confidence"] >= 0.5,
        )
        for f in j.findings
        if not f.get("suppressed")
    ]
    return FileResult(findings, j.verdict, ms)


# -- bandit and ruff, as their users run them ---------------------------------------------------


def _command(name: str) -> str:
    """The tool installed beside this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise ToolMissing(f"{name} is not installed (pip install -r requirements-bench.txt)")
    return found


def _in_batches(paths: list[Path], size: int = 400):
    for i in range(0, len(paths), size):
        yield paths[i : i + size]


def run_bandit(paths: list[Path]) -> dict:
    results = {p: FileResult() for p in paths}
    py = [p for p in paths if p.suffix in (".py", ".pyw")]
    command = _command("bandit")
    started = time.perf_counter()
    for batch in _in_batches(py):
        out = subprocess.run(
            [command, "-f", "json", "-q", "--exit-zero", *map(str, batch)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for issue in json.loads(out or "{}").get("results", []):
            test = issue["test_id"]
            results[Path(issue["filename"])].findings.append(
                ToolFinding(
                    issue["line_number"],
                    BANDIT_CWE.get(test, 0),
                    test,
                    True,
                    issue.get("issue_confidence") in ("MEDIUM", "HIGH"),
                )
            )
    _spread_time(results, py, started)
    return results


def run_ruff(paths: list[Path]) -> dict:
    results = {p: FileResult() for p in paths}
    py = [p for p in paths if p.suffix in (".py", ".pyw")]
    command = _command("ruff")
    started = time.perf_counter()
    for batch in _in_batches(py):
        out = subprocess.run(
            [command, "check", "--isolated", "--no-cache", "--select", "S", "--output-format", "json",
             "--exit-zero", *map(str, batch)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip
        for issue in json.loads(out or "[]"):
            code = issue.get("code") or ""
            if not code.startswith("S"):
                continue  # a syntax error ruff could not parse past
            line = issue["location"]["row"]
            results[Path(issue["filename"])].findings.append(
                ToolFinding(line, RUFF_CWE.get(code, 0), code, True)
            )
    _spread_time(results, py, started)
    return results


def _spread_time(results: dict, paths: list[Path], started: float) -> None:
    """A whole-run tool's time, shared equally among the files it read (ms per file)."""
    if paths:
        each = (time.perf_counter() - started) * 1000.0 / len(paths)
        for p in paths:
            results[p].ms = each
