"""Adversarial review, batch 2: reproducers of invariant violations in the write path.

Each test asserts the invariant and FAILS on the code as it stands.
"""

from __future__ import annotations

import psycopg

from cynic_app.durability.guidance import read_guidance
from cynic_app.durability.journal import scan
from cynic_app.durability.journal.reader import records
from cynic_app.judgment import Cell
from cynic_app.judgment.perception import Perception
from cynic_app.service import IdempotencyKey, PersistenceError
from cynic_app.service.records import judgment_write
from cynic_app.service import utc_now
from cynic_app.startup import replay
from tests.service.test_write_path import make_node, node  # noqa: F401  (the fixture)


def _judgment(service, content: str) -> dict:
    from cynic_app.judgment import judge
    import uuid

    return judge(Cell.create(content=content), judgment_id=str(uuid.uuid4())).to_dict()


def test_not_written_after_a_failed_cut_is_resurrected_by_recovery(node, config):
    """Invariant 2: ``not_written`` means never stored. A batch of three records is written
    with one write; the disk fills half-way through it (the first line is complete on disk),
    and cutting the partial bytes off fails too. Every client is told ``not_written``, the
    writer is poisoned and the worker retires; settling its journal then finds the complete
    first line (valid checksum) and applies it: a record answered not_written is stored."""
    writes = [judgment_write(_judgment(node.service, f"v_{i} = {i}"), utc_now(), None) for i in range(3)]
    node.fs.fail_write_at = node.fs.writes + 1  # half of the batch's bytes reach the file
    node.fs.fail_truncate = True  # ... and they cannot be cut off again
    node.service.write_path.write(writes)
    answers = [(w.error.outcome if isinstance(w.error, PersistenceError) else w.error) for w in writes]
    assert answers == ["not_written"] * 3
    assert node.retired  # the writer is poisoned: the worker exits, its journal gets settled
    node.journal.close()  # the worker exits
    replay(config)  # the master settles its journal
    stored = {w.record_id: node.stored(w.record_id) for w in writes}
    assert stored == {w.record_id: 0 for w in writes}, (
        f"records answered not_written were stored by recovery: {stored}"
    )


def test_a_superseded_record_is_never_acknowledged_as_itself(node):
    """Invariant 1/3: a 200 means the record is committed. A record whose Idempotency-Key was
    claimed by another record (another worker committed it between this request's key lookup
    and its batch, or a second request of the same batch) is left out of the transaction and
    aborted; it must be answered with the key's record. If reading that record fails (the pool
    has no connection free in time: PoolTimeout), the write is answered 200 *as itself*: a
    judgment_id that is not in PostgreSQL, and never will be (its abort is journaled)."""
    key = IdempotencyKey("k-race", "same-body")
    owner = node.service.judge(Cell.create(content="first = 1"), idempotency=key)
    owner_id = owner.record["judgment"]["judgment_id"]
    # The second request of the same key passed its lookup before the first committed (e.g. in
    # another worker): it goes straight to the group commit, as Service.judge sends it.
    loser = judgment_write(_judgment(node.service, "first = 1"), utc_now(), key)
    node.pool._fail.append("connect")  # the pool has no connection for the next 1 s (no cut)
    answered = node.service._persist(loser)  # no exception: a 200
    jid = answered.record["judgment"]["judgment_id"]
    assert not answered.replayed and jid == loser.record_id != owner_id
    ids, aborts = node.journaled()
    assert jid in aborts  # recovery will never apply it
    assert node.stored(jid) == 1, f"200 for judgment {jid}, which PostgreSQL does not hold"


def test_a_retry_of_a_written_perception_makes_guidance_name_its_judgment(node):
    """Invariant 1 for /perceive: the first attempt stored the perception and its judgment, but
    guidance.json could not be replaced (``written``). The retry with the same key answers 200
    (replayed) while guidance.json still names an older judgment: the fix made for judgments
    (test_a_retry_of_a_written_answer_makes_guidance_name_it) does not cover perceptions, whose
    stored record carries no position (repository.get_perception)."""
    key = IdempotencyKey("k-perceive", "f")
    p = Perception(source="review", cell=Cell.create(content="x = 1"), run_judgment=True, level="MICRO")
    node.fs.fail_write_at = node.fs.writes + 2  # 1: the journal line, 2: guidance.json's temp file
    try:
        node.service.perceive(p, idempotency=key)
        raise AssertionError("expected a written answer")
    except PersistenceError as exc:
        assert exc.outcome == "written"
        jid = exc.ids["judgment_id"]
    retry = node.service.perceive(p, idempotency=key)
    assert retry.replayed and retry.record["judgment"]["judgment_id"] == jid
    doc = read_guidance(node.service.guidance.path)
    assert doc["judgment_id"] == jid, (
        f"200 for perception judgment {jid} while guidance.json names {doc['judgment_id']}"
    )
