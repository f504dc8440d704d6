"""Stopping a process with a batch in flight: nothing is acknowledged that is not committed.

Issue 22.1: on a quick shutdown (SIGQUIT, SIGINT, or SIGABRT from gunicorn's worker timeout)
gunicorn runs worker_exit while request threads go on. It closed the runtime under a batch that
had sent its INSERTs: the connection went back to the pool, which rolled it back; the batch's
COMMIT then found no transaction (a WARNING, with a normal tag), and the record was answered 200
without a row. The seam ``WritePath.before_commit`` holds a batch right after its INSERTs.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from cynic_app.api.context import runtime_of
from cynic_app.durability.guidance import read_guidance
from cynic_app.judgment import Cell
from cynic_app.service import PersistenceError
from tests.support.harness import serving

WAIT_S = 30  # generous bounds for a busy machine: reached only when something is broken


@pytest.fixture
def runtime(config):
    with serving(config) as app:
        runtime = runtime_of(app)
        runtime.recover_every_s = 3600  # records in doubt stay so until a test resolves them
        yield runtime


class HeldBatch:
    """A write whose batch stops between its INSERTs and its COMMIT until ``go_on()``."""

    def __init__(self, service, content: str, *, at_pause=None):
        self.service, self.answer = service, None
        service.write_path.budget_s = WAIT_S  # the pause must not outlast the batch's budget
        self.inserted, self._go_on = threading.Event(), threading.Event()

        def pause(conn):
            service.write_path.before_commit = None  # only this batch
            if at_pause is not None:
                at_pause(conn)
            self.inserted.set()
            self._go_on.wait(WAIT_S)

        service.write_path.before_commit = pause
        self.thread = threading.Thread(target=self._request, args=(content,))
        self.thread.start()
        assert self.inserted.wait(WAIT_S), "the batch never reached its COMMIT"

    def _request(self, content: str) -> None:
        try:
            self.answer = self.service.judge(Cell.create(content=content)).record["judgment"]["judgment_id"]
        except PersistenceError as exc:
            self.answer = exc

    def go_on(self):
        self._go_on.set()
        self.thread.join(WAIT_S)
        assert not self.thread.is_alive()
        return self.answer


def stored(database_url, judgment_id: str) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT count(*) FROM judgments WHERE judgment_id = %s", (judgment_id,)
        ).fetchone()[0]


def test_a_quick_shutdown_finishes_the_batch_in_flight_and_refuses_new_writes(runtime, database_url):
    service = runtime.service()
    held = HeldBatch(service, "in_flight = 1")
    runtime.drain_timeout_s = WAIT_S
    closer = threading.Thread(target=runtime.close)  # gunicorn's worker_exit; request threads go on
    closer.start()
    deadline = time.monotonic() + WAIT_S
    while closer.is_alive() and not getattr(service, "stopping", False):
        assert time.monotonic() < deadline, "close() neither returned nor began to stop"
        time.sleep(0.01)
    if getattr(service, "stopping", False):
        with pytest.raises(PersistenceError) as refused:
            service.judge(Cell.create(content="too_late = 2"))
        assert (refused.value.outcome, refused.value.step) == ("not_written", "shutdown")
        assert closer.is_alive()  # it waits for the batch in flight
    answer = held.go_on()
    closer.join(WAIT_S)
    assert not closer.is_alive()
    assert isinstance(answer, str), f"the batch in flight was refused: {answer}"
    assert stored(database_url, answer) == 1  # the review: answered 200, and no row
    assert read_guidance(runtime.config.home / "guidance.json")["judgment_id"] == answer


def test_closing_the_write_path_never_takes_the_connection_from_a_batch(runtime, database_url):
    """If the drain runs out of time, the batch keeps its connection: it commits, or fails
    honestly, on its own."""
    service = runtime.service()
    held = HeldBatch(service, "in_flight = 1")
    service.write_path.close()
    answer = held.go_on()
    assert isinstance(answer, str), f"the batch in flight was refused: {answer}"
    assert stored(database_url, answer) == 1


def test_a_commit_that_finds_no_transaction_is_never_acknowledged(runtime, database_url):
    """Whatever ended the transaction before COMMIT (here a ROLLBACK, as the pool does to a
    connection handed back), PostgreSQL answers that COMMIT with a WARNING and a normal tag:
    the write path must see that nothing was committed, and never answer 200."""
    service = runtime.service()
    held = HeldBatch(service, "rolled_back = 1", at_pause=lambda conn: conn.execute("ROLLBACK"))
    answer = held.go_on()
    assert isinstance(answer, PersistenceError), "answered 200 for a transaction that was rolled back"
    assert answer.outcome == "unknown"
    assert service.write_path.in_doubt == 1  # resolved as committed: stored by the next batch
    service.judge(Cell.create(content="next = 2"))
    assert stored(database_url, answer.ids["judgment_id"]) == 1 and service.write_path.in_doubt == 0
