"""The ``cynic`` command (also ``flask --app cynic_app …``): serve, replay, checkpoint, migrate,
stats. Each is a thin wrapper over plain functions; exit codes are the same everywhere:
0 done, 1 verification failed, 2 usage error (click's), 3 a bad setting or an unusable database
or home, 4 journal corrupt."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from . import settings
from .config import Config
from .logs import configure_logging
from .metrics import MULTIPROC_ENV
from .review.command import judge as judge_command
from .settings import ConfigError


def _fail(code: int, message: str):
    click.echo(f"cynic: {message}", err=True)
    sys.exit(code)


def operator_command(fn):
    """Configure logging and turn the failures an operator can meet into one line and an exit
    code (node/errors.py: refusal)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        # Here, not at the top: `cynic judge` needs no database and starts fast without psycopg.
        from .node.errors import refusal

        try:
            configure_logging()
            if os.environ.get(MULTIPROC_ENV):  # our metrics would create their files there
                settings.writable_directory(os.environ, MULTIPROC_ENV)
            return fn(*args, **kwargs)
        except Exception as exc:
            refused = refusal(exc)
            if refused is None:
                raise
            _fail(refused.exit_code, refused.reason)

    return run


def _embedded_server(config: Config):
    """The embedded PostgreSQL for a config without a database URL: the running one, or a new one."""
    from .embedded_pg import EmbeddedPostgres, EmbeddedPostgresError, running_port
    from .node.errors import EXIT_UNAVAILABLE
    from .node.home import prepare_home

    prepare_home(config.home)
    data_dir = config.home / "postgres"
    port = running_port(data_dir)
    if port is not None:  # the service's embedded server is up: share it
        return EmbeddedPostgres(data_dir, port=port), False
    try:
        return EmbeddedPostgres(data_dir, port=config.embedded_pg_port).start(), True
    except EmbeddedPostgresError as exc:
        _fail(EXIT_UNAVAILABLE, str(exc))


@contextmanager
def database_config() -> Iterator[tuple[Config, object]]:
    """Yield (config with a reachable database URL, the embedded server this command started or None)."""
    from .node import binding
    from .node.errors import EXIT_UNAVAILABLE

    config = Config.from_env()
    if config.database_url:
        yield config, None
        return
    external = binding.bound_to_external(config.home)
    if external is not None:
        _fail(
            EXIT_UNAVAILABLE,
            f"CYNIC_HOME {config.home} belongs to the external database {external}: set "
            "CYNIC_DATABASE_URL to it (no embedded PostgreSQL is started for this home)",
        )
    server, started = _embedded_server(config)
    try:
        embedded = config.with_overrides(database_url=server.url, database_embedded=True)
        yield embedded, (server if started else None)
    finally:
        if started:
            server.stop()
            server.remove_socket_dir()


@click.group()
@click.version_option(package_name="cynic_app", prog_name="cynic")
def main() -> None:
    """cynic_app: judge content durably."""


main.add_command(judge_command)


@main.command()
@click.option("--dry-run", is_flag=True, help="Report what would be applied; write nothing.")
@click.option("--verify", is_flag=True, help="Check that the journals and PostgreSQL agree; write nothing.")
@click.option(
    "--from-start",
    is_flag=True,
    help="Also re-apply every archived segment still kept (after restoring PostgreSQL from a backup).",
)
@operator_command
def replay(dry_run: bool, verify: bool, from_start: bool) -> None:
    """Settle every journal: apply what PostgreSQL is missing (exactly once), or check agreement.

    Exit codes: 0 done, 1 verify found disagreement, 2 usage error, 3 bad setting or unusable
    database/home, 4 journal corrupt.
    """
    from .node.open import settle_node

    with database_config() as (config, _server):
        if verify:
            _verify(config)
            return
        summary = settle_node(config, dry_run=dry_run, from_start=from_start)
        click.echo(f"replay: {summary.line()}")


def _verify(config: Config) -> None:
    from .node.open import connect
    from .node.verify import verify

    with connect(config) as conn:
        result = verify(conn, config.home)
    click.echo(
        f"verify: {result.records} records, {len(result.missing)} missing from PostgreSQL, "
        f"{len(result.resurrected)} aborted yet present"
    )
    for rid in result.missing[:20]:
        click.echo(f"  missing: {rid}")
    for rid in result.resurrected[:20]:
        click.echo(f"  aborted but present: {rid}")
    if not result.ok:
        from .node.errors import EXIT_VERIFY_FAILED

        sys.exit(EXIT_VERIFY_FAILED)


@main.command()
@operator_command
def migrate() -> None:
    """Apply the database schema migrations."""
    from .node.open import connect
    from .store.migrations import migrate as apply

    with database_config() as (config, _server), connect(config) as conn:
        applied = apply(conn)
    click.echo(f"migrations applied now: {applied or 'none (up to date)'}")


@main.command("adopt-database")
@operator_command
def adopt_database() -> None:
    """Bind CYNIC_HOME to the configured database (after moving to a new one on purpose).

    Its journals are settled into that database from now on. Refuses while the service runs.
    """
    from .node.open import adopt_database as adopt

    with database_config() as (config, _server):
        before, found = adopt(config)
    was = f"database {before['cluster_id']} ({before['database']})" if before else "no database"
    click.echo(
        f"adopt-database: CYNIC_HOME {config.home} now belongs to database {found}; it belonged to {was}"
    )


@main.command()
@operator_command
def checkpoint() -> None:
    """Settle the journals of exited processes and write the state snapshot (safe while serving)."""
    from .node import binding
    from .node.checkpoint import checkpoint as checkpoint_node
    from .node.open import connect

    with database_config() as (config, _server), connect(config) as conn:
        binding.check(conn, config.home, config.database_url)
        summary = checkpoint_node(conn, config)
    click.echo(f"checkpoint: {summary.line()}")


@main.command()
@operator_command
def stats() -> None:
    """Print what the node holds: its journals and the database's counts (JSON)."""
    from .node.open import connect
    from .node.verify import stats as node_stats

    with database_config() as (config, _server), connect(config) as conn:
        out = node_stats(conn, config)
    click.echo(json.dumps(out, indent=2))


@main.command()
@click.option(
    "--owasp",
    "owasp",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An OWASP-style expected-results CSV (its files in testcode/ beside it).",
)
@click.option(
    "--lines",
    "lines",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A directory (or file) of line-annotated code (ruleid:/ok: comments).",
)
@click.option(
    "--clean",
    "clean",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A directory of clean, well-kept code.",
)
@click.option(
    "--tools",
    default="cynic,bandit,ruff,eslint-security",
    show_default=True,
    help="Comma-separated: cynic, bandit, ruff, eslint-security (as installed; eslint: $CYNIC_ESLINT_DIR).",
)
@click.option(
    "--level",
    type=click.Choice(["REFLEX", "MICRO", "MACRO"]),
    default=None,
    help="The judge's level (default: a default cell's, MICRO).",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every figure as JSON to this file.",
)
def evaluate(owasp, lines, clean, tools, level, json_out) -> None:
    """Score the judge on labelled corpora beside bandit and ruff, per held-out and tuning half."""
    from .evaluate import evaluate as run
    from .evaluate.report import as_json, markdown
    from .evaluate.tools import TOOLS

    chosen = [t.strip() for t in tools.split(",") if t.strip()]
    unknown = [t for t in chosen if t not in TOOLS]
    if unknown or not (owasp or lines or clean):
        raise click.UsageError(
            f"unknown tool {unknown[0]!r}" if unknown else "give at least one of --owasp, --lines, --clean"
        )
    result = run(owasp=list(owasp), lines=list(lines), clean=list(clean), tools=chosen, level=level)
    click.echo(markdown(result))
    if json_out:
        json_out.write_text(json.dumps(as_json(result), indent=2))


def _bind_option(_ctx, _param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return settings.address({"--bind": value}, "--bind", "")
    except ConfigError as exc:
        raise click.BadParameter(str(exc).removeprefix("--bind=")) from None


@main.command()
@click.option(
    "--bind",
    callback=_bind_option,
    metavar="HOST:PORT",
    help="Listen here (overrides CYNIC_BIND; default 127.0.0.1:$PORT, PORT defaulting to 8000).",
)
@operator_command
def serve(bind: str | None) -> None:
    """Serve under gunicorn on CYNIC_BIND; starts an embedded PostgreSQL if none is set."""
    overrides = {"CYNIC_BIND": bind} if bind else {}
    Config.from_env({**os.environ, **overrides})  # refuse bad settings before starting anything
    with database_config() as (config, server):
        if server is not None:
            click.echo(f"cynic: embedded PostgreSQL at {server.url} (data in {server.data_dir})")
        env = {
            **os.environ,
            **overrides,
            "CYNIC_DATABASE_URL": config.database_url,
            "CYNIC_HOME": str(config.home),
            "CYNIC_DATABASE_EMBEDDED": "1" if config.database_embedded else "0",
        }
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:cynic_app.gunicorn_conf", "cynic_app.wsgi:app"],
            env=env,
        )

        def forward(signum, _frame):
            gunicorn.send_signal(signum)

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, forward)
        code = gunicorn.wait()
    sys.exit(code)


if __name__ == "__main__":
    main()
