"""COMMIT, and make sure it committed: PostgreSQL does not fail a COMMIT that finds nothing to commit.

A COMMIT that finds no transaction open (something ended it before: a ROLLBACK, a pool that
took the connection back) is answered with a WARNING (SQLSTATE 25P01) and the tag COMMIT all the
same, and one that ends a failed transaction with the tag ROLLBACK. A caller that acknowledges
writes on the strength of its COMMIT MUST use ``commit`` here instead of executing it.
"""

from __future__ import annotations

import psycopg
from psycopg.pq import TransactionStatus

#: SQLSTATE of "there is no transaction in progress".
NO_ACTIVE_TRANSACTION = "25P01"


class CommitNotConfirmed(Exception):
    """COMMIT did not end the caller's transaction: it had ended before, or ended in a rollback."""


def commit(conn: psycopg.Connection) -> None:
    """COMMIT the transaction the caller opened; raise CommitNotConfirmed unless it did."""
    status = conn.info.transaction_status
    if status != TransactionStatus.INTRANS:
        raise CommitNotConfirmed(f"the transaction had ended before COMMIT (status {status.name})")
    warnings: list[psycopg.errors.Diagnostic] = []

    def note(diagnostic: psycopg.errors.Diagnostic) -> None:
        if diagnostic.sqlstate == NO_ACTIVE_TRANSACTION:
            warnings.append(diagnostic)

    conn.add_notice_handler(note)
    try:
        tag = conn.execute("COMMIT").statusmessage
    finally:
        conn.remove_notice_handler(note)
    if warnings or tag != "COMMIT":
        reason = warnings[0].message_primary if warnings else f"the server answered {tag}"
        raise CommitNotConfirmed(f"COMMIT committed nothing: {reason}")
