"""A home's journals belong to one database: the binding between CYNIC_HOME and PostgreSQL.

Settling applies a journal's records to the database and then deletes the journal, so settling
into the wrong database loses the records the right one lacked. To prevent that, every database
this service writes to carries an identity — a random ``cluster_id`` in the one-row table
``cynic_identity`` (migration 4), so it survives pg_dump and restore — and CYNIC_HOME remembers
the identity of its database in ``database.json`` from its first start on.

``serve``, ``replay`` and ``checkpoint`` refuse a database whose identity differs from the home's,
or that has none, before they change anything (``DatabaseMismatch``: one line naming both, exit
3), until the operator says the new database is the right one (``cynic adopt-database``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from ..durability.fsio import atomic_write
from ..store.repository import database_identity
from .errors import DatabaseMismatch

FILE_NAME = "database.json"


def read_binding(home: Path) -> dict | None:
    """The home's binding ({"cluster_id", "database", "embedded", "bound_at"}), or None."""
    try:
        return json.loads((Path(home) / FILE_NAME).read_bytes())
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise DatabaseMismatch(
            f"{Path(home) / FILE_NAME} is not JSON ({exc}); restore it or adopt a database"
        ) from exc


def describe(url: str) -> str:
    """Where a database is, without credentials: host:port/dbname (or the socket directory)."""
    info = conninfo_to_dict(url)
    dbname = info.get("dbname", info.get("user", ""))
    return f"{info.get('host', 'localhost')}:{info.get('port', '5432')}/{dbname}"


def check(conn: psycopg.Connection, home: Path, url: str) -> str | None:
    """Raise DatabaseMismatch unless the database is the home's (or the home is not bound yet).

    Return the home's cluster_id (None: not bound yet). Changes nothing.
    """
    bound = read_binding(home)
    if bound is None:
        return None
    found = database_identity(conn)
    if found != bound["cluster_id"]:
        has = f"database {found}" if found else "a database with no cynic identity"
        raise DatabaseMismatch(
            f"CYNIC_HOME {home} belongs to database {bound['cluster_id']} ({bound['database']}), but "
            f"{describe(url)} is {has}; point CYNIC_DATABASE_URL at the right one, or run "
            f"`cynic adopt-database` if this one is meant to replace it"
        )
    return found


def bind(conn: psycopg.Connection, home: Path, url: str, *, embedded: bool) -> str:
    """Record the database's identity as the home's (it MUST have one: migrate first)."""
    found = database_identity(conn)
    if found is None:
        raise DatabaseMismatch(f"{describe(url)} has no cynic identity: run `cynic migrate` first")
    doc = {
        "cluster_id": found,
        "database": describe(url),
        "embedded": embedded,
        "bound_at": datetime.now(UTC).isoformat(),
    }
    atomic_write(Path(home) / FILE_NAME, json.dumps(doc, indent=2).encode() + b"\n")
    return found


def bound_to_external(home: Path) -> str | None:
    """Where the home's external database is, if it is bound to one (then no embedded server)."""
    bound = read_binding(home)
    if bound is None or bound.get("embedded"):
        return None
    return bound["database"]
