"""COMMIT, and make sure it committed: PostgreSQL does not fail a COMMIT that finds nothing to commit.

A COMMIT that finds no transaction open (something ended it before: a ROLLBACK, a pool that
took the connection back) is answered with a WARNING (SQLSTATE 25P01) and the tag COMMIT all the
same, and one that ends a failed transaction with the tag ROLLBACK. A caller that acknowledges
writes on the strength of its COMMIT MUST send it with ``send_commit`` here (in a pipeline or
not) and ``confirm`` it, instead of executing it.
"""

from __future__ import annotations

import psycopg
from psycopg.pq import TransactionStatus

#: SQLSTATE of "there is no transaction in progress".
NO_ACTIVE_TRANSACTION = "25P01"


class CommitNotConfirmed(Exception):
    """COMMIT did not end the caller's transaction: it had ended before, or ended in a rollback."""


class SentCommit:
    """A COMMIT sent, whose answer is checked by ``confirm``: in a pipeline, after its sync point
    (the answer and any warning with it arrive then). ``confirm`` or ``forget`` MUST follow, on
    every path: until then a notice handler listens on the connection."""

    def __init__(self, conn: psycopg.Connection):
        self._conn = conn
        self._warnings: list[psycopg.errors.Diagnostic] = []
        self._listening = True
        conn.add_notice_handler(self._note)
        try:
            self._cursor = conn.execute("COMMIT")
        except BaseException:
            self.forget()
            raise

    def _note(self, diagnostic: psycopg.errors.Diagnostic) -> None:
        if diagnostic.sqlstate == NO_ACTIVE_TRANSACTION:
            self._warnings.append(diagnostic)

    def forget(self) -> None:
        """Stop listening for the COMMIT's warning (idempotent)."""
        if self._listening:
            self._listening = False
            self._conn.remove_notice_handler(self._note)

    def confirm(self) -> None:
        """Raise CommitNotConfirmed unless the COMMIT committed the caller's transaction."""
        self.forget()
        tag = self._cursor.statusmessage
        if self._warnings or tag != "COMMIT":
            reason = self._warnings[0].message_primary if self._warnings else f"the server answered {tag}"
            raise CommitNotConfirmed(f"COMMIT committed nothing: {reason}")
        status = self._conn.info.transaction_status
        if status != TransactionStatus.IDLE:
            raise CommitNotConfirmed(f"a transaction is still open after COMMIT (status {status.name})")


def send_commit(conn: psycopg.Connection) -> SentCommit:
    """Send COMMIT for the transaction the caller opened (in a pipeline, with its other
    statements); ``confirm`` the result once it has arrived."""
    return SentCommit(conn)
