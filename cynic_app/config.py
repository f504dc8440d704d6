"""Configuration, read once from the environment (or given directly by tests)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import settings
from .durability.archive import DEFAULT_RETENTION_BYTES, DEFAULT_RETENTION_S, Retention
from .durability.journal.writer import DEFAULT_SEGMENT_BYTES
from .judgment.cell import DEFAULT_MAX_CONTENT_CHARS
from .serving import DEFAULT_THREADS, ServerSettings, default_workers
from .settings import ConfigError

__all__ = ["Config", "ConfigError", "DEFAULT_THREADS", "ServerSettings", "default_workers"]
#: Set by a gunicorn master, for its workers, to its pid once it has opened the node.
OPENED_BY_ENV = "CYNIC_RECOVERED_BY"


#: The Host names a node bound to loopback answers to by default (any port): a browser reaching
#: it under another name was sent there by DNS rebinding.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


@dataclass(frozen=True)
class Config:
    """Everything a node does comes from here: create_app(config) reads nothing else (from_env
    reads the environment, once, when no config is given)."""

    home: Path
    database_url: str | None = None
    max_body_bytes: int = 1024 * 1024
    max_content_chars: int = DEFAULT_MAX_CONTENT_CHARS
    segment_bytes: int = DEFAULT_SEGMENT_BYTES
    retention: Retention = Retention()  # settled segments kept for replay --from-start (archive.py)
    pool_min_size: int = 1
    pool_max_size: int = DEFAULT_THREADS
    pool_timeout_s: float = 1.0  # with the 0.25 s memory and settle waits, a 503 comes within 2 s
    statement_timeout_ms: int = 5000
    startup_timeout_s: float = 60.0
    node: str = socket.gethostname()
    retry_after_s: int = 2
    api_token: str | None = field(default=None, repr=False)  # never printed
    protect_reads: bool = False
    trusted_proxies: int = 0  # proxies in front whose X-Forwarded-For/-Proto are believed
    body_timeout_s: float = 10.0  # a request body must arrive within this, else 408
    pgbouncer: bool = False  # the database URL is PgBouncer's in transaction pooling
    database_embedded: bool = False  # the database is the home's embedded one (set by cynic serve)
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS  # Host names answered; None: any
    server: ServerSettings = field(default_factory=ServerSettings)  # gunicorn's, and the thread count
    embedded_pg_port: int | None = None  # the CLI's embedded PostgreSQL (None: a free port)
    #: The pid of the gunicorn master that opened the node before forking this worker (None:
    #: create_app opens it itself).
    opened_by: int | None = None

    @classmethod
    def from_env(cls, env: dict | None = None) -> Config:
        env = os.environ if env is None else env
        home = Path(env.get("CYNIC_HOME") or Path.home() / ".cynic").expanduser()
        server = ServerSettings.from_env(env)
        config = cls(
            home=home.absolute(),
            database_url=env.get("CYNIC_DATABASE_URL") or env.get("DATABASE_URL") or None,
            max_body_bytes=_int(env, "CYNIC_MAX_BODY_BYTES", cls.max_body_bytes, low=1024),
            max_content_chars=_int(env, "CYNIC_MAX_CONTENT_CHARS", cls.max_content_chars, low=1),
            segment_bytes=_int(env, "CYNIC_SEGMENT_BYTES", cls.segment_bytes, low=4096),
            retention=Retention(
                settings.seconds(
                    env, "CYNIC_JOURNAL_RETENTION_S", DEFAULT_RETENTION_S, low=0, high=366 * 24 * 3600
                ),
                _int(env, "CYNIC_JOURNAL_RETENTION_BYTES", DEFAULT_RETENTION_BYTES, low=0),
            ),
            # One connection per worker thread is all a worker can use at once.
            pool_max_size=_int(env, "CYNIC_POOL_MAX_SIZE", server.threads, low=1),
            startup_timeout_s=_int(env, "CYNIC_STARTUP_TIMEOUT_S", 60, low=1),
            node=env.get("CYNIC_NODE") or cls.node,
            api_token=env.get("CYNIC_API_TOKEN") or None,
            protect_reads=settings.boolean(env, "CYNIC_PROTECT_READS", False),
            trusted_proxies=_int(env, "CYNIC_TRUSTED_PROXIES", 0, low=0),
            pgbouncer=settings.boolean(env, "CYNIC_PGBOUNCER", False),
            database_embedded=settings.boolean(env, "CYNIC_DATABASE_EMBEDDED", False),
            body_timeout_s=settings.seconds(env, "CYNIC_BODY_TIMEOUT_S", 10.0, low=0.1, high=600),
            allowed_hosts=_allowed_hosts(env, server.bind),
            server=server,
            embedded_pg_port=settings.integer(env, "CYNIC_EMBEDDED_PG_PORT", 0, low=1, high=65535) or None,
            opened_by=settings.integer(env, OPENED_BY_ENV, 0, low=1) or None,
        )
        if config.protect_reads and not config.api_token:
            raise ConfigError(
                f"CYNIC_PROTECT_READS={env['CYNIC_PROTECT_READS'].strip()!r} needs CYNIC_API_TOKEN: "
                "without a token nothing protects the reads; set the token or unset CYNIC_PROTECT_READS"
            )
        return config

    def with_overrides(self, **changes) -> Config:
        return replace(self, **changes)

    @property
    def journal_dir(self) -> Path:
        return self.home / "journal"


def _allowed_hosts(env, bind: str) -> tuple[str, ...] | None:
    """CYNIC_ALLOWED_HOSTS; unset: the loopback names (and the bound address) for a loopback
    bind, any host otherwise (a node on a public address is reached under names it cannot know)."""
    given = settings.host_names(env, "CYNIC_ALLOWED_HOSTS")
    if given is not None:
        return None if given == ("*",) else given
    if not settings.is_loopback_bind(bind):
        return None
    bound = bind.rpartition(":")[0].lower()
    return LOOPBACK_HOSTS if bound in LOOPBACK_HOSTS else (*LOOPBACK_HOSTS, bound)


def _int(env, name: str, default: int, *, low: int) -> int:
    return settings.integer(env, name, default, low=low)
