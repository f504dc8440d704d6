"""Adversarial review of a34c4ed: the server itself dies (SIGKILL of the batch's backend: the
postmaster resets every connection) at the moments around the pipeline's sync."""

from __future__ import annotations

import os
import signal
import time

import psycopg
import pytest

from cynic_app.judgment import Cell
from tests.service.test_review_24_sync import mixed_batch, new_write, stored_perception
from tests.service.test_write_path import make_node, open_transactions, outcome_of


def backend_pids(url: str) -> list[int]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = 'cynic_app' AND backend_xid IS NOT NULL"
            )
        ]


@pytest.mark.slow
@pytest.mark.parametrize("when", ["during_fsync", "before_commit"])
def test_the_server_killed_around_the_sync(config, private_pg, when):
    node_gen = make_node(config.with_overrides(database_url=private_pg.url))
    node = next(node_gen)
    try:
        node.service.judge(Cell.create(content="warm = 1"))
        wp = node.service.write_path
        real, target = node.fs.fsync, node.fs.fsyncs + 1

        def kill():
            deadline = time.monotonic() + 1
            while not (pids := backend_pids(private_pg.url)) and time.monotonic() < deadline:
                time.sleep(0.005)
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)

        if when == "during_fsync":

            def fsync(fd):
                if node.fs.fsyncs + 1 == target and not node.fs.temporary(fd):
                    kill()
                real(fd)

            node.fs.fsync = fsync
        else:

            def before_commit(conn):
                wp.before_commit = None
                kill()

            wp.before_commit = before_commit
        batch = mixed_batch(f"kill_{when}", new_write("kill = 1"))
        wp.write(batch)
        outcomes = [outcome_of(w) for w in batch]
        print(when, outcomes, "in doubt:", wp.in_doubt)
        # wait for the server to be back from crash recovery, then settle what is in doubt
        deadline = time.monotonic() + 20
        while True:
            try:
                with psycopg.connect(private_pg.url) as c:
                    c.execute("SELECT 1")
                break
            except psycopg.OperationalError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        while wp.in_doubt and time.monotonic() < deadline:
            node.service.resolve_doubt()
            time.sleep(0.2)
        for w, outcome in zip(batch, outcomes, strict=True):
            n = stored_perception(node, w.record_id) if w.kind == "perception" else node.stored(w.record_id)
            if outcome is None:
                assert n == 1
            elif outcome == "not_written":
                assert n == 0 and w.record_id in node.journaled()[1]
            else:
                assert outcome == "unknown" and n == 1  # resolved as committed
        assert open_transactions(private_pg.url) == 0
    finally:
        next(node_gen, None)
