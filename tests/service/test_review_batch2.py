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


def test_a_key_held_by_an_unfinished_transaction_fails_only_its_own_record(node):
    """Invariant 3: an Idempotency-Key conflict affects only its own record. Another worker's
    transaction has claimed key K and not finished (its COMMIT is slow, or its client vanished
    behind a partition and the server has not noticed yet). A batch of this worker holds a
    retry with K *and* an unrelated record: the claim blocks on K's primary key until the
    deadline cuts the connection, and the unrelated record is answered ``not_written`` too."""
    key = IdempotencyKey("k-held", "same-body")
    with psycopg.connect(node.url, autocommit=True) as holder:
        holder.execute("BEGIN")
        holder.execute(
            "INSERT INTO idempotency_keys (key, fingerprint, kind, record_id)"
            " VALUES (%s, %s, 'judgment', gen_random_uuid())",
            (key.key, key.fingerprint),
        )
        keyed = judgment_write(_judgment(node.service, "k = 1"), utc_now(), key)
        plain = judgment_write(_judgment(node.service, "unrelated = 2"), utc_now(), None)
        node.service.write_path.write([keyed, plain])
        holder.execute("ROLLBACK")
    outcome = plain.error.outcome if isinstance(plain.error, PersistenceError) else plain.error
    assert outcome is None and node.stored(plain.record_id) == 1, (
        f"an unrelated record of the batch failed because of another record's key: {outcome}"
    )


def test_written_names_a_judgment_that_is_stored(node):
    """Invariant 2: ``written`` = stored, only guidance.json failed, and the answer carries the
    judgment_id. A request whose Idempotency-Key was claimed by another record (committed by
    another worker after this request's key lookup) is superseded and aborted; when guidance.json
    cannot be replaced (the disk is full) it is answered ``written`` with *its own*
    judgment_id, which PostgreSQL does not hold and never will: GET /judge/<id> is a 404."""
    key = IdempotencyKey("k-written", "same-body")
    node.fs.fail_write_at = node.fs.writes + 2  # 1: the owner's journal line, 2: guidance.json
    try:
        node.service.judge(Cell.create(content="first = 1"), idempotency=key)
        raise AssertionError("expected a written answer")
    except PersistenceError as exc:
        assert exc.outcome == "written"
    loser = judgment_write(_judgment(node.service, "first = 1"), utc_now(), key)
    node.fs.fail_write_at = node.fs.writes + 3  # 1: its line, 2: its abort, 3: guidance.json
    try:
        node.service._persist(loser)  # as Service.judge sends it after a lookup found no key
        raise AssertionError("expected a written answer")
    except PersistenceError as exc:
        answered = (exc.outcome, exc.ids["judgment_id"])
    assert answered[0] == "written"
    assert node.stored(answered[1]) == 1, (
        f"'written' for judgment {answered[1]}, which PostgreSQL does not hold (aborted: "
        f"{answered[1] in node.journaled()[1]})"
    )
