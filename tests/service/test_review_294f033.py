"""Adversarial review of 294f033 (the write path's answers under faults). Real PostgreSQL, real
files. Each test failed on 294f033."""

from __future__ import annotations

import time

import psycopg

from cynic_app.judgment import Cell
from cynic_app.service import IdempotencyKey
from tests.service.test_write_path import new_write, outcome_of


def test_a_batch_of_superseded_records_answers_within_its_budget(node):
    """Superseded records read their key's record back with a budget of their own each
    (BUDGET_S, and the pool's own wait), not what was left of the batch's: a database that
    stalled right after the COMMIT held the batch, and every request in it, for n × 1.8 s
    (7.2 s for four records)."""
    keys = [IdempotencyKey(f"k-stall-{i}", "same") for i in range(4)]
    for i, key in enumerate(keys):
        node.service.judge(Cell.create(content=f"first_{i} = {i}"), idempotency=key)
    wp = node.service.write_path
    real = wp._supersede
    staller = psycopg.connect(node.url)  # a session that stalls every read of judgments

    def stalled_after_commit(*args):
        staller.execute("LOCK TABLE judgments IN ACCESS EXCLUSIVE MODE")
        return real(*args)

    wp._supersede = stalled_after_commit
    batch = [new_write(f"first_{i} = {i}", key) for i, key in enumerate(keys)]
    started = time.monotonic()
    try:
        wp.write(batch)
    finally:
        took = time.monotonic() - started
        staller.rollback()
        staller.close()
    # stored as their keys' records, not read back: honest, and within the batch's budget
    assert [outcome_of(w) for w in batch] == ["written"] * 4
    assert took < wp.budget_s + 0.5, f"answered after {took:.2f} s for a {wp.budget_s} s budget"
