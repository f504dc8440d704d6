"""`cynic judge --server URL [--store]`: a running node judges, storing only when asked."""

from __future__ import annotations

import json

import pytest

from tests.review.conftest import CLEAN, HOLE, NOSEC, cynic
from tests.support.harness import Gunicorn, request


@pytest.fixture
def node(tmp_path, database_url):
    g = Gunicorn(tmp_path / "home", database_url, workers=1, threads=4).start()
    yield g
    g.stop()


def _report(*args: str, cwd) -> dict:
    done = cynic("--format", "json", *args, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return {f["path"]: f for f in json.loads(done.stdout)["files"]}


@pytest.mark.slow
def test_a_node_judges_as_this_machine_does_and_stores_only_when_asked(node, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text(HOLE)
    (src / "nosec.py").write_text(NOSEC)
    (src / "prices.py").write_text(CLEAN)
    (src / "__init__.py").write_text("")
    url = f"http://127.0.0.1:{node.port}"

    here = _report(".", cwd=src)
    dry = _report("--server", url, ".", cwd=src)
    for path in ("app.py", "nosec.py", "prices.py"):
        assert dry[path]["verdict"] == here[path]["verdict"]
        assert [(f["rule"], f["line"], f["suppressed"]) for f in dry[path]["findings"]] == [
            (f["rule"], f["line"], f["suppressed"]) for f in here[path]["findings"]
        ]
        assert dry[path]["persisted"] is False
        assert request(node.port, "GET", f"/judge/{dry[path]['judgment_id']}")[0] == 404
    assert dry["__init__.py"]["verdict"] == here["__init__.py"]["verdict"]  # an empty file is judged

    stored = _report("--server", url, "--store", ".", cwd=src)
    status, body = request(node.port, "GET", f"/judge/{stored['app.py']['judgment_id']}")
    assert status == 200 and body["verdict"] == "BARK" and body["context"] == "file: app.py"
    again = _report("--server", url, "--store", ".", cwd=src)  # the same contents: the same keys
    assert {p: f["judgment_id"] for p, f in again.items() if "judgment_id" in f} == {
        p: f["judgment_id"] for p, f in stored.items() if "judgment_id" in f
    }
    exit_code = cynic("--server", url, "app.py", cwd=src).returncode
    assert exit_code == 1


@pytest.mark.slow
def test_a_refusal_of_the_node_is_that_files_error(tmp_path, database_url):
    (tmp_path / "big.py").write_text("x = 1\n" * 20_000)  # over this node's 100,000 characters
    (tmp_path / "ok.py").write_text(CLEAN)
    node = Gunicorn(tmp_path / "home", database_url, workers=1, threads=4,
                    env={"CYNIC_MAX_CONTENT_CHARS": "100000"}).start()  # fmt: skip
    try:
        done = cynic("--server", f"http://127.0.0.1:{node.port}", ".", cwd=tmp_path)
    finally:
        node.stop()
    assert done.returncode == 3
    assert "cynic: big.py: the node answered 422 validation_failed" in done.stderr
    assert "content must be at most 100000 characters" in done.stderr
    assert "1 file judged" in done.stdout and "1 file could not be judged" in done.stdout
