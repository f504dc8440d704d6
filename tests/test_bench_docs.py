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
