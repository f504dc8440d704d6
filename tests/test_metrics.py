"""Metrics of dead workers are folded into an aggregate; a damaged file never crashes the master."""

from __future__ import annotations

from cynic_app import metrics


def test_a_file_left_short_by_a_killed_worker_is_dropped_not_fatal(tmp_path):
    """Review finding: a worker killed while creating its counter file left it empty, and folding
    it raised in the master's child_exit, which killed the master."""
    (tmp_path / "counter_4242.db").write_bytes(b"")
    (tmp_path / "histogram_4242.db").write_bytes(b"\x01\x00")
    metrics.fold_dead_process(tmp_path, 4242)
    assert not (tmp_path / "counter_4242.db").exists() and not (tmp_path / "histogram_4242.db").exists()
