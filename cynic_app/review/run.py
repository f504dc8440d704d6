"""Judge files in this machine's processes: no node, no database, nothing stored.

Each file is one cell, ``context: "file: <name>"`` (its name tells the judge the language), judged
at the level a default cell gets, as POST /judge judges it. Files are spread over one process per
core; a file the judge fails on is reported as an error of that file, never as a verdict, and
the others are still judged.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..judgment.cell import DEFAULT_MAX_CONTENT_CHARS
from .report import FileReport
from .walk import is_binary

#: Below this many files the processes would cost more than they save.
PARALLEL_FROM_FILES = 8
#: Files whose encoding Python decides by their coding cookie.
PYTHON_SUFFIXES = (".py", ".pyw")
#: The most of a file the judge reads here: what a node accepts in a body (a node reads its first
#: engine.JUDGED_CHARS, to bound a request's time; here only this run waits, and the judge's cost
#: grows linearly: about 0.6 s for 800,000 characters at MICRO, docs/judgment.md).
FILE_JUDGED_CHARS = DEFAULT_MAX_CONTENT_CHARS


def read_source(path: str) -> tuple[str | None, FileReport | None]:
    """(text, None) for a file to judge, else (None, the report saying why not)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or a device would block, or never end
            return None, FileReport(path, error="cannot read it: not a regular file")
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, FileReport(path, error=f"cannot read it: {exc.strerror or exc}")
    if is_binary(data):
        return None, FileReport(path, skipped="binary")
    return decoded(data, path), None


def decoded(data: bytes, path: str) -> str:
    """The file's text: UTF-8, or for Python the encoding its coding cookie declares (PEP 263,
    as Python reads it: ``# -*- coding: latin-1 -*-`` on one of its first two lines); a
    byte-order mark says UTF-8 and is not a character of the first line. Bytes the encoding
    cannot decode become U+FFFD."""
    encoding = "utf-8-sig"
    if Path(path).suffix.lower() in PYTHON_SUFFIXES:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:  # a cookie naming no codec Python has, or contradicting a BOM
            encoding = "utf-8-sig"
    return data.decode(encoding, errors="replace")


def line_texts(text: str, findings: list[dict], language: str = "python") -> dict[int, str]:
    """The text of each line a finding names (for fingerprints and suppression comments), the
    lines numbered as the judge numbered them for language."""
    wanted = {f["line"] for f in findings if f.get("line")}
    if not wanted:
        return {}
    from ..judgment.source import PYTHON, lines_of  # the judge's own count of the lines

    return {n: line for n, line in enumerate(lines_of(text, python=language == PYTHON), 1) if n in wanted}


#: How a line that opens a function or a class begins (Python, JavaScript, TypeScript).
DEFINITIONS = (
    "def ", "async def ", "class ", "function ", "async function ", "export function ",
    "export async function ", "export default function ", "export class ", "export default class ",
)  # fmt: skip


def scope_texts(text: str, findings: list[dict], language: str = "python") -> dict[int, str]:
    """For each line a finding names, the line that opens the function or class it stands in (by
    indentation), white space collapsed; "" at the top level. One pass over the lines: what
    tells two findings on identical lines apart when --diff compares a file with its version at
    REV (the same sink line in first() and in second())."""
    wanted = {f["line"] for f in findings if f.get("line")}
    if not wanted:
        return {}
    from ..judgment.source import PYTHON, lines_of

    found: dict[int, str] = {}
    opened: list[tuple[int, str]] = []  # (indentation, the opening line) of the enclosing definitions
    last = max(wanted)
    for n, line in enumerate(lines_of(text, python=language == PYTHON), 1):
        if n > last:
            break
        stripped = line.lstrip()
        if not stripped or stripped.startswith(("#", "//")):
            if n in wanted:
                found[n] = opened[-1][1] if opened else ""
            continue
        indent = len(line) - len(stripped)
        while opened and opened[-1][0] >= indent:
            opened.pop()
        if n in wanted:
            found[n] = opened[-1][1] if opened else ""
        if stripped.startswith(DEFINITIONS):
            opened.append((indent, " ".join(stripped.split())))
    return found


def judge_file(path: str, level: str | None = None) -> FileReport:
    """One file's report, judged in this process (level None: a default cell's)."""
    from ..judgment import Cell, judge

    text, not_judged = read_source(path)
    if not_judged is not None:
        return not_judged
    try:
        cell = Cell.create(content=text, context=f"file: {Path(path).name}")
        judgment = judge(cell, level=level, judged_chars=FILE_JUDGED_CHARS)
    # One file the judge cannot read must not cost the report on all the others: the failure is
    # this file's error, printed with its name, and the exit code says the run is incomplete.
    except Exception as exc:  # noqa: BLE001
        return FileReport(path, error=f"the judge failed on it: {type(exc).__name__}: {exc}")
    return FileReport(
        path,
        verdict=judgment.verdict,
        q_score=judgment.q_score,
        language=judgment.language,
        findings=judgment.findings,
        line_texts=line_texts(text, judgment.findings, judgment.language),
        scopes=scope_texts(text, judgment.findings, judgment.language),
    )


def judge_files(
    paths: list[str],
    *,
    jobs: int | None = None,
    level: str | None = None,
    done: Callable[[FileReport], None] = lambda _report: None,
) -> list[FileReport]:
    """Every file's report, in the order of paths; done(report) is called as each is ready."""
    reports = []
    for report in _each(paths, jobs or os.cpu_count() or 1, level):
        done(report)
        reports.append(report)
    return reports


def _each(paths: list[str], jobs: int, level: str | None) -> Iterator[FileReport]:
    levels = [level] * len(paths)
    if jobs == 1 or len(paths) < PARALLEL_FROM_FILES:
        yield from map(judge_file, paths, levels)
        return
    chunk = max(1, min(16, len(paths) // (jobs * 4)))
    ready = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for report in pool.map(judge_file, paths, levels, chunksize=chunk):
                ready += 1
                yield report
    except BrokenProcessPool:
        # A process died (killed, out of memory, a crash in a parser's C code) and took the pool
        # with it: each file left is judged in a process of its own, so the one it dies on is that
        # file's error and the others are still judged.
        from .. import judgment  # noqa: F401  (imported once here: each process forked has it)

        for path in paths[ready:]:
            yield _judge_alone(path, level)


def _judge_alone(path: str, level: str | None) -> FileReport:
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(judge_file, path, level).result()
        except BrokenProcessPool:
            return FileReport(path, error="the judge's process died judging it")
