"""``cynic judge``: the click wrapper; what it does lives in the modules beside it."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

import click

from ..judgment.phi import VERDICTS
from .remote import NodeUnreachable
from .report import FileReport

EXIT_FAILED = 1  # a file's verdict is the --fail-on verdict or worse
#: 2 is click's: a usage error (unknown option, a path that does not exist, an unknown revision).
EXIT_INCOMPLETE = 3  # a file could not be judged, or the node could not be reached


class AnyCase(click.Choice):
    """One of upper-case names, typed in any case (the help lists them as they are)."""

    def convert(self, value, param, ctx):
        return super().convert(value.upper() if isinstance(value, str) else value, param, ctx)


@click.command("judge")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="text (path:line:col: rule message), json, or SARIF 2.1.0 for code scanning.",
)
@click.option(
    "--fail-on",
    type=AnyCase(VERDICTS[1:]),
    default="BARK",
    show_default=True,
    help="Exit 1 when a file's verdict is this or worse (BARK is the worst).",
)
@click.option(
    "--diff",
    "diff_rev",
    metavar="REV",
    help="Judge the files changed since the git revision REV; report, and gate on, changed lines only.",
)
@click.option("--server", metavar="URL", help="Ask the node at URL (POST /judge) instead of judging here.")
@click.option("--store", is_flag=True, help="With --server: store each judgment (default: a dry run).")
@click.option(
    "--level",
    type=AnyCase(["REFLEX", "MICRO", "MACRO"]),
    help="The judge's level (default: a default cell's, MICRO; MACRO adds pyflakes, imports, links).",
)
@click.option("--jobs", type=click.IntRange(min=1), help="Processes judging at once (default: one per core).")
@click.option("--show-suppressed", is_flag=True, help="Text: also print suppressed findings, marked.")
@click.option("--show-links", is_flag=True, help="Text: print each finding's documentation link.")
@click.option(
    "--rules-url",
    envvar="CYNIC_RULES_URL",
    metavar="URL",
    help="Where docs/rules.md is published: the base of the rule links (env CYNIC_RULES_URL).",
)
def judge(paths, output_format, fail_on, diff_rev, server, store, level, jobs, **shown) -> None:
    """Judge source files and directories; exit 1 when one is the --fail-on verdict or worse.

    Directories are walked for Python, JavaScript, TypeScript and shell files, honouring
    .gitignore and skipping vendored trees; files are judged in this machine's processes, nothing
    stored, unless --server. Exit codes: 0 pass, 1 a file fails --fail-on, 2 usage error, 3 a
    file could not be judged (or the node could not be reached).
    """
    from .diff import DiffError, changes, keep_changed
    from .text import escaped
    from .walk import source_files

    _never_unencodable()
    if store and not server:
        raise click.UsageError("--store needs --server (judging here stores nothing)")
    if level and server:
        raise click.UsageError("--level applies to judging here; a node judges at its own level")
    paths = list(paths) or ["."]
    changed = None
    if diff_rev is not None:
        if not diff_rev.strip():  # a push event's empty base, say
            raise click.UsageError(f"--diff needs a revision, and {diff_rev!r} names none")
        try:
            changed = changes(diff_rev, paths)
        except DiffError as exc:
            raise click.UsageError(str(exc)) from None
        files = sorted(path for path, change in changed.items() if not change.repository)
    else:
        files = source_files(paths)
    unreachable = ""
    try:
        reports = _judge(files, server=server, store=store, level=level, jobs=jobs)
        if changed is not None:
            bases = _judge_bases(reports, changed, server=server, level=level, jobs=jobs)
    except KeyboardInterrupt:  # click would say "Aborted!" and exit 1, the code of a failed gate
        click.echo("\ncynic: interrupted: not every file was judged", err=True)
        sys.exit(EXIT_INCOMPLETE)
    except NodeUnreachable as exc:  # still a whole report: CI uploads it whatever the exit code
        unreachable = str(exc)
        click.echo(f"cynic: {escaped(unreachable)}", err=True)
        reports = [FileReport(path, error="not judged: the node could not be reached") for path in files]
    if changed is not None and not unreachable:
        reports = [keep_changed(r, changed[r.path], bases.get(r.path)) if r.judged else r for r in reports]
    if changed is not None:
        # A submodule, a nested repository: its changes are its own repository's (--diff in it).
        nested = [FileReport(p, skipped="nested repository") for p, c in changed.items() if c.repository]
        reports = sorted(reports + nested, key=lambda r: r.path)
    for r in reports:
        if r.error and not unreachable:
            click.echo(f"cynic: {escaped(r.path)}: {escaped(r.error)}", err=True)
    _print(reports, output_format, fail_on=fail_on, diff=diff_rev, run_error=unreachable, **shown)
    if unreachable or any(r.error for r in reports):
        sys.exit(EXIT_INCOMPLETE)
    if any(r.fails(fail_on) for r in reports):
        sys.exit(EXIT_FAILED)


def _never_unencodable() -> None:
    """What the output's encoding cannot write (a name's byte that is not UTF-8 under a strict UTF-8
    locale such as en_US.UTF-8, a letter a Latin-1 locale lacks) is written escaped, not a traceback."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _judge_bases(
    reports: list[FileReport], changed: dict, *, server: str | None, level: str | None, jobs: int | None
) -> dict[str, FileReport]:
    """{path: the report of its version at REV} for each judged file that had one (--diff), judged
    as the file is (here or by the node, never stored), from a temporary copy of the same name."""
    from .diff import base_source

    olds = {r.path: base_source(changed[r.path]) for r in reports if r.judged}
    olds = {path: data for path, data in olds.items() if data is not None}
    if not olds:
        return {}
    with tempfile.TemporaryDirectory(prefix="cynic-base-") as scratch:
        copies = {}
        for i, (path, data) in enumerate(sorted(olds.items())):
            copy = Path(scratch, str(i), Path(path).name)  # the name tells the judge the language
            copy.parent.mkdir()
            copy.write_bytes(data)
            copies[str(copy)] = path
        judged = _judge(list(copies), server=server, store=False, level=level, jobs=jobs, label="judging REV")
    return {copies[r.path]: r for r in judged if r.judged}


def _judge(
    files: list[str],
    *,
    server: str | None,
    store: bool,
    level: str | None,
    jobs: int | None,
    label: str = "judging",
) -> list[FileReport]:
    """Each file's report; NodeUnreachable when a node was asked and does not answer."""
    from .remote import check_reachable, judge_files_remote
    from .run import judge_files

    bar = (
        click.progressbar(length=len(files), label=label, file=sys.stderr)
        if len(files) > 1 and sys.stderr.isatty()
        else contextlib.nullcontext()
    )
    with bar as progress:

        def tick(_report: FileReport) -> None:
            if progress is not None:
                progress.update(1)

        if server:
            check_reachable(server)
            return judge_files_remote(files, server=server, store=store, done=tick)
        return judge_files(files, jobs=jobs, level=level, done=tick)


def _print(
    reports, output_format, *, fail_on, diff, run_error, rules_url, show_suppressed, show_links
) -> None:
    if output_format == "json":
        from .report import as_json

        click.echo(json.dumps(as_json(reports, fail_on=fail_on, diff=diff, run_error=run_error), indent=2))
    elif output_format == "sarif":
        from .sarif import sarif

        click.echo(json.dumps(sarif(reports, rules_base=rules_url, run_error=run_error), indent=2))
    else:
        from .text import render

        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        lines = render(
            reports,
            fail_on=fail_on,
            diff=diff,
            colour=colour,
            show_suppressed=show_suppressed,
            show_links=show_links,
            rules_base=rules_url,
        )
        for line in lines:
            click.echo(line, color=colour)
