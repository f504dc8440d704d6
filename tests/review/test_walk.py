"""Which files `cynic judge DIR` reads: source extensions, .gitignore honoured, vendored trees skipped."""

from __future__ import annotations

import os

from cynic_app.review.walk import source_files
from tests.review.conftest import CLEAN, Repo


def names(paths, root) -> set[str]:
    return {os.path.relpath(p, root) for p in paths}


def test_a_walk_reads_the_extensions_the_judge_knows(tmp_path):
    for name in ("a.py", "b.pyw", "c.js", "d.mjs", "e.cjs", "f.jsx", "g.ts", "h.tsx", "i.mts", "j.cts",
                 "k.sh", "l.bash", "README.md", "data.json", "notes.txt", "Makefile"):  # fmt: skip
        (tmp_path / name).write_text("x = 1\n")
    found = names(source_files([tmp_path]), tmp_path)
    assert found == {"a.py", "b.pyw", "c.js", "d.mjs", "e.cjs", "f.jsx", "g.ts", "h.tsx", "i.mts", "j.cts",
                     "k.sh", "l.bash"}  # fmt: skip


def test_gitignore_patterns_negations_and_nested_files_are_honoured(tmp_path):
    (tmp_path / ".gitignore").write_text("generated/\n*.gen.py\n!keep.gen.py\n/top_only.py\n")
    for name in ("app.py", "x.gen.py", "keep.gen.py", "top_only.py", "sub/top_only.py",
                 "generated/model.py", "sub/generated/model.py", "sub/local.py", "sub/kept.py"):  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(CLEAN)
    (tmp_path / "sub" / ".gitignore").write_text("local.py\n")
    found = names(source_files([tmp_path]), tmp_path)
    assert found == {"app.py", "keep.gen.py", "sub/top_only.py", "sub/kept.py"}


def test_ignore_files_above_the_walked_directory_apply_inside_a_repository(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write(".gitignore", "src/legacy/\n")
    repo.write("src/app.py", CLEAN)
    repo.write("src/legacy/old.py", CLEAN)
    repo.write("src/scratch.py", CLEAN)
    (repo.path / ".git" / "info").mkdir(exist_ok=True)
    (repo.path / ".git" / "info" / "exclude").write_text("scratch.py\n")
    found = names(source_files([repo.path / "src"]), repo.path)
    assert found == {"src/app.py"}


def test_vendored_and_generated_trees_are_not_walked(tmp_path):
    for directory in ("node_modules/pkg", ".venv/lib", "venv/lib", "lib/site-packages/pkg", "dist", "build",
                      "__pycache__", ".git/hooks", "vendor/lib", "env-3.12/lib"):  # fmt: skip
        (tmp_path / directory).mkdir(parents=True)
        (tmp_path / directory / "mod.py").write_text(CLEAN)
    (tmp_path / "env-3.12" / "pyvenv.cfg").write_text("home = /usr/bin\n")  # a virtualenv by any name
    (tmp_path / "app.py").write_text(CLEAN)
    assert names(source_files([tmp_path]), tmp_path) == {"app.py"}


def test_a_file_named_on_the_command_line_is_judged_whatever_its_name(tmp_path):
    script = tmp_path / "deploy"
    script.write_text("#!/bin/sh\necho hi\n")
    (tmp_path / "ignored.py").write_text(CLEAN)
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    found = source_files([script, tmp_path / "ignored.py"])
    assert names(found, tmp_path) == {"deploy", "ignored.py"}


def test_paths_are_listed_once_sorted_and_as_given(tmp_path, monkeypatch):
    (tmp_path / "b.py").write_text(CLEAN)
    (tmp_path / "a.py").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    assert source_files(["./", "b.py", "."]) == ["a.py", "b.py"]
