"""scripts/bench --update-docs: what it refuses, the heading it writes, where it writes."""

from __future__ import annotations

import pytest

from tests.support import bench

RESULTS = {
    "started": "2026-12-06T23:32:35Z",
    "machine": {"cores": 2, "cpu": "AMD EPYC (cpu family 23, model 49)"},
    "layouts": {"after": "gunicorn, shipped defaults"},
}


@pytest.mark.parametrize("only", ["judge", "breakdown", "startup", "rss"])
def test_update_docs_with_a_part_that_writes_no_load_tables_is_refused(only, capsys):
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--only", only, "--update-docs"])
    assert exit_.value.code == 2
    assert "--update-docs" in capsys.readouterr().err


def test_the_heading_names_the_command_the_commit_and_the_processor():
    heading = bench.docs_heading(RESULTS, ["--only", "load", "--update-docs"], commit="b15b34b")
    assert heading == (
        "Measured 2026-12-06T23:32:35Z with `scripts/bench --only load --update-docs` at b15b34b, "
        "on 2 cores of AMD EPYC (cpu family 23, model 49) (after: gunicorn, shipped defaults):"
    )
    with_baseline = bench.docs_heading({**RESULTS, "baseline": "0318da7"}, [], commit="x")
    assert with_baseline.endswith("(after: gunicorn, shipped defaults, before = 0318da7):")


def test_only_the_text_between_the_markers_is_replaced(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(f"intro\n{bench.BEGIN}\nold tables\n{bench.END}\nwhat the run shows\n")
    bench.update_docs("new heading\n\nnew tables", doc)
    assert (
        doc.read_text()
        == f"intro\n{bench.BEGIN}\nnew heading\n\nnew tables\n{bench.END}\nwhat the run shows\n"
    )


def test_the_commit_is_marked_when_the_tree_has_changes(monkeypatch):
    outputs = iter(["abc1234\n", " M docs/performance.md\n"])

    class Done:
        def __init__(self):
            self.stdout = next(outputs)

    monkeypatch.setattr(bench.subprocess, "run", lambda *a, **k: Done())
    assert bench.head_commit() == "abc1234+changes"


def _point(service: str, size: str, scenario: str, concurrency: int, rps: float) -> dict:
    return {"service": service, "size": size, "scenario": scenario, "concurrency": concurrency,
            "rps": rps, "p50_ms": 1000 / rps, "p99_ms": 3000 / rps, "errors": 0,
            "fsyncs_per_request": 0.25, "commits_per_request": 0.25, "guidance_per_request": 0.2,
            "mean_batch": 4.0}  # fmt: skip


def test_reference_rows_are_marked_as_no_target_and_the_trivial_apps_spread_is_one():
    load = [_point("trivial", "tiny", "trivial", 1, 1300)]
    load += [_point("trivial", "tiny", "trivial", 16, rps) for rps in (2800, 1200, 2700)]
    for size in bench.CONTENTS:
        for scenario, rps in (("dry_run", 1000), ("durable", 500)):
            load.append(_point("after", size, scenario, 1, rps / 2))
            load += [_point("after", size, scenario, 16, rps + d) for d in (-50, 0, 50)]
    parts = {"journal_fsync_ms": 0.2, "pg_commit_ms": 0.3, "guidance_replace_ms": 0.5, "sum_ms": 1.0}
    results = {**RESULTS, "services": ["after"], "load": load, "parts": parts}
    rows = {name: (value, ok) for name, value, ok in bench.targets(results)}
    spread = "(reference) c=16, 3 repeated points of the trivial app: (max − min) / median"
    assert rows[spread] == ("59%", None)  # (2800 − 1200) / 2700
    assert rows["(reference) c=1, tiny: what durability adds beyond its three parts"] == ("+1.00 ms", None)
    assert rows["c=16: durable / dry-run ≥ 0.8 (tiny, medians)"] == ("0.50", False)
    table = bench.report(results)
    assert f"| {spread} | 59% | — |" in table
    worse = "c=16, 3 repeated points: (max − min) / median ≤ 15 % (tiny, worse scenario)"
    assert f"| {worse} | 20% | no |" in table  # the durable points': 100 / 500


def test_the_write_path_alone_is_reported_against_its_parts_when_measured():
    load = [_point("trivial", "tiny", "trivial", 1, 1300)]
    for size in bench.CONTENTS:
        for scenario, rps in (("dry_run", 1000), ("durable", 500)):
            load.append(_point("after", size, scenario, 1, rps / 2))
            load += [_point("after", size, scenario, 16, rps + d) for d in (-50, 0, 50)]
    parts = {"journal_fsync_ms": 0.2, "pg_commit_ms": 0.3, "guidance_replace_ms": 0.5, "sum_ms": 1.0,
             "serial_ms": 1.1, "overlapped_ms": 0.9,
             "write_path_ms": 1.6, "write_path_cpu_ms": 0.95}  # fmt: skip
    results = {**RESULTS, "services": ["after"], "load": load, "parts": parts}
    rows = {name: (value, ok) for name, value, ok in bench.targets(results)}
    assert rows["(reference) the write path alone beyond its three parts overlapped in one loop"] == (
        "+0.70 ms",
        None,
    )
    table = bench.report(results)
    assert "one tiny record per batch (`WritePath.write` in one thread), p50 | 1.600 ms |" in table
    assert "| the same: the process's CPU per batch, user and system | 0.950 ms |" in table
    del parts["write_path_ms"], parts["write_path_cpu_ms"]  # a run recorded before it was measured
    assert "WritePath.write" not in bench.report(results)


def test_the_dry_runs_floor_is_the_trivial_app_plus_judge_alone_when_measured():
    """The trivial app's c=1 p50 plus judge() of the tiny body alone, in milliseconds and in
    times the trivial app's, beside the dry-run target. A run recorded before judge() was
    measured alone prints neither row."""
    load = [_point("trivial", "tiny", "trivial", 1, 2000)]  # p50 0.5 ms
    for size in bench.CONTENTS:
        for scenario, rps in (("dry_run", 1000), ("durable", 500)):
            load.append(_point("after", size, scenario, 1, rps / 2))
            load += [_point("after", size, scenario, 16, rps + d) for d in (-50, 0, 50)]
    parts = {"journal_fsync_ms": 0.2, "pg_commit_ms": 0.3, "guidance_replace_ms": 0.5, "sum_ms": 1.0,
             "judge_tiny_ms": 0.3}  # fmt: skip
    results = {**RESULTS, "services": ["after"], "load": load, "parts": parts}
    rows = {name: (value, ok) for name, value, ok in bench.targets(results)}
    floor = "(reference) c=1, tiny: the trivial app's p50 plus `judge()` alone, a floor under the dry run"
    assert rows[floor] == ("0.80 ms, 1.60 ×", None)
    assert "its memory as the service's, p50 | 0.300 ms |" in bench.report(results)
    del parts["judge_tiny_ms"]
    assert floor not in {name for name, _, _ in bench.targets(results)}
    assert "`judge()` of the tiny body" not in bench.report(results)
