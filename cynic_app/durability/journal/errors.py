"""Journal errors, one sentence each."""

from __future__ import annotations


class JournalError(Exception):
    """The journal could not do what was asked."""


class JournalWriteFailed(JournalError):
    """The record was not written (its bytes were removed again); nothing was journaled."""


class JournalPoisoned(JournalError):
    """This append's fsync failed: the record may or may not be on disk."""


class JournalRefused(JournalError):
    """The writer is poisoned or closed: this record was not journaled, and no later one will be."""


class JournalCorrupt(JournalError):
    """The journal is damaged before its tail; it will not be opened until an operator acts."""

    def __init__(self, path, offset: int, reason: str):
        self.path, self.offset, self.reason = path, offset, reason
        super().__init__(f"journal corrupt in {path} at byte {offset}: {reason}")
