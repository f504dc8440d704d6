"""What a write that was not acknowledged tells its client: the truth, in one of three words.

``not_written``  nothing was stored, and never will be (an ``abort`` record tells recovery so);
``unknown``      it may or may not be stored: the connection died during COMMIT, or a journal
                 fsync failed. Such a record is *resolved as committed* — re-applied with the
                 next batch, or by its process's recovery timer within a second; once its
                 process is gone, by whoever settles its journal — unless a retry with its
                 Idempotency-Key committed first.
                 One case is decided by recovery instead: a write that failed in the database
                 and whose abort record's fsync failed is stored only if that abort record did
                 not reach the disk. Either way a retry with the same Idempotency-Key never
                 stores it twice.
``written``      the record is stored, but guidance.json could not be updated (or, for a
                 request superseded by an earlier one with its Idempotency-Key, that
                 record is stored and could not be read back); the ids name the stored record.
"""

from __future__ import annotations

import logging

from .. import metrics
from ..errors import first_line

log = logging.getLogger(__name__)

NOT_WRITTEN, UNKNOWN, WRITTEN = "not_written", "unknown", "written"
MESSAGES = {
    NOT_WRITTEN: "the write did not happen: {step} unavailable",
    UNKNOWN: "the outcome is unknown: {step} failed mid-write; retry with the same Idempotency-Key",
    WRITTEN: "the judgment is stored, but guidance.json could not be updated",
}
#: Where a step changes what is true to say.
STEP_MESSAGES = {
    (NOT_WRITTEN, "shutdown"): "the write did not happen: this worker is stopping; retry",
    (NOT_WRITTEN, "queue"): "the write did not happen: the writes ahead of it took all of its time; retry",
    (WRITTEN, "database"): "an earlier request with this Idempotency-Key is stored (details name it), "
    "but it could not be read back; retry with the same key",
}


class PersistenceError(Exception):
    """A write could not be acknowledged; ``outcome`` says what is true about it."""

    def __init__(self, *, outcome: str, step: str, ids: dict, message: str):
        self.outcome, self.step, self.ids = outcome, step, ids
        super().__init__(message)


class IdempotencyMismatch(Exception):
    """The Idempotency-Key was already used with a different request."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"Idempotency-Key {key!r} was already used with a different request")


def failure(outcome: str, step: str, ids: dict, cause: BaseException | None) -> PersistenceError:
    """The error for one write, logged at ERROR and counted: never a silent failure."""
    log.error("write failed at %s (outcome %s) for %s: %s", step, outcome, ids, first_line(cause))
    metrics.outcomes.labels(outcome, step).inc()
    return PersistenceError(
        outcome=outcome,
        step=step,
        ids=ids,
        message=STEP_MESSAGES.get((outcome, step), MESSAGES[outcome]).format(step=step),
    )
