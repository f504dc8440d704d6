"""The ``cynic`` command: serve, replay, migrate. Thin wrappers over plain functions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click
import psycopg

from .config import Config, ConfigError
from .durability.home import HomeUnusable, NodeBusy, acquire_node_lock, prepare_home
from .durability.journal import JournalCorrupt
from .logs import configure_logging

EXIT_VERIFY_FAILED = 1
EXIT_CORRUPT = 2
EXIT_UNAVAILABLE = 3


def _fail(code: int, message: str) -> None:
    click.echo(f"cynic: {message}", err=True)
    sys.exit(code)


def _config_with_database() -> tuple[Config, object]:
    """Config whose database is reachable: the configured one, or the embedded one."""
    config = Config.from_env()
    if config.database_url:
        return config, None
    from .embedded_pg import EmbeddedPostgres, EmbeddedPostgresError, running_port

    prepare_home(config.home)
    data_dir = config.home / "postgres"
    port = running_port(data_dir)
    if port is not None:  # the service's embedded server is up: share it
        server = EmbeddedPostgres(data_dir, port=port)
        return config.with_overrides(database_url=server.url), None
    port = int(os.environ["CYNIC_EMBEDDED_PG_PORT"]) if os.environ.get("CYNIC_EMBEDDED_PG_PORT") else None
    try:
        server = EmbeddedPostgres(data_dir, port=port).start()
    except EmbeddedPostgresError as exc:
        _fail(EXIT_UNAVAILABLE, str(exc))
    return config.with_overrides(database_url=server.url), server


@click.group()
def main() -> None:
    """cynic_app: judge content durably."""
    configure_logging()


@main.command()
@click.option("--dry-run", is_flag=True, help="Report what would be applied; write nothing.")
@click.option("--verify", is_flag=True, help="Check that the journal and PostgreSQL agree; write nothing.")
@click.option(
    "--from-start",
    is_flag=True,
    help="Ignore the checkpoint: re-apply every record still on disk (e.g. after a restore).",
)
def replay(dry_run: bool, verify: bool, from_start: bool) -> None:
    """Apply journaled records PostgreSQL is missing (exactly once), or check agreement."""
    from .startup import recover, wait_for_database

    try:
        config, server = _config_with_database()
        try:
            if verify:
                _verify(config, wait_for_database)
                return
            prepare_home(config.home)
            lock = None if dry_run else acquire_node_lock(config.home)
            try:
                summary = recover(config, dry_run=dry_run, from_start=from_start)
            finally:
                if lock is not None:
                    lock.release()
            click.echo(summary.line())
        finally:
            if server is not None:
                server.stop()
    except JournalCorrupt as exc:
        _fail(EXIT_CORRUPT, f"{exc}. See docs/operations.md, 'Corrupt journal'.")
    except NodeBusy as exc:
        _fail(EXIT_UNAVAILABLE, f"{exc}; the running service already replayed at start-up")
    except (ConfigError, HomeUnusable) as exc:
        _fail(EXIT_UNAVAILABLE, str(exc))
    except psycopg.OperationalError as exc:
        _fail(EXIT_UNAVAILABLE, f"database unreachable: {str(exc).strip().splitlines()[0]}")


def _verify(config: Config, wait_for_database) -> None:
    from .durability.verify import verify

    with wait_for_database(config.database_url, timeout_s=config.startup_timeout_s) as conn:
        result = verify(conn, config.journal_dir)
    click.echo(
        f"verify: {result.records} records, {len(result.missing)} missing from PostgreSQL, "
        f"{len(result.resurrected)} aborted yet present"
    )
    for rid in result.missing[:20]:
        click.echo(f"  missing: {rid}")
    for rid in result.resurrected[:20]:
        click.echo(f"  aborted but present: {rid}")
    if not result.ok:
        sys.exit(EXIT_VERIFY_FAILED)


@main.command()
def migrate() -> None:
    """Apply the database schema migrations."""
    from .startup import wait_for_database
    from .store.migrations import migrate as apply

    try:
        config, server = _config_with_database()
        try:
            with wait_for_database(config.database_url, timeout_s=config.startup_timeout_s) as conn:
                applied = apply(conn)
            click.echo(f"migrations applied now: {applied or 'none (up to date)'}")
        finally:
            if server is not None:
                server.stop()
    except psycopg.OperationalError as exc:
        _fail(EXIT_UNAVAILABLE, f"database unreachable: {str(exc).strip().splitlines()[0]}")


@main.command()
def serve() -> None:
    """Serve under gunicorn on 127.0.0.1:$PORT; starts an embedded PostgreSQL if none is set."""
    try:
        config, server = _config_with_database()
    except (ConfigError, HomeUnusable) as exc:
        _fail(EXIT_UNAVAILABLE, str(exc))
    env = {**os.environ, "CYNIC_DATABASE_URL": config.database_url, "CYNIC_HOME": str(config.home)}
    if server is not None:
        click.echo(f"cynic: embedded PostgreSQL on 127.0.0.1:{server.port} (data in {server.data_dir})")
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:cynic_app.gunicorn_conf", "cynic_app.wsgi:app"],
        env=env,
    )

    def forward(signum, _frame):
        gunicorn.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    try:
        code = gunicorn.wait()
    finally:
        if server is not None:
            server.stop()
    sys.exit(code)


if __name__ == "__main__":
    main()
