"""`cynic judge --diff REV`: what changed since REV is judged, what is on changed lines is reported,
and the exit code reads those findings alone."""

from __future__ import annotations

from cynic_app.review.diff import Change, parse_patch
from tests.review.conftest import CLEAN, HOLE, HOLE_LINE, cynic, judged_json

SECOND_HOLE = """

@app.post("/ping")
def ping():
    done = subprocess.run("ping -c 1 " + request.form["host"], shell=True)
    return {"status": done.returncode}
"""


def test_only_findings_on_changed_lines_are_reported(repo):
    repo.write("app.py", HOLE)
    repo.write("prices.py", CLEAN)
    base = repo.commit("an old hole")
    repo.write("app.py", HOLE + SECOND_HOLE)
    report = judged_json("--diff", base, cwd=repo.path)
    (entry,) = report["files"]  # prices.py did not change
    assert entry["path"] == "app.py" and entry["verdict"] == "BARK"
    assert [(f["rule"], f["line"]) for f in entry["findings"]] == [("shell-injection", HOLE_LINE + 6)]
    assert entry["changed_lines_verdict"] == "BARK" and report["failed"] == ["app.py"]
    text = cynic("--diff", base, cwd=repo.path)
    assert text.returncode == 1
    assert f"app.py:{HOLE_LINE + 6}:" in text.stdout and f"app.py:{HOLE_LINE}:" not in text.stdout


def test_a_clean_change_to_a_file_with_an_old_hole_passes(repo):
    repo.write("app.py", HOLE)
    base = repo.commit("an old hole")
    repo.write("app.py", '"""Run commands for the operator."""\n\n' + HOLE)
    done = cynic("--diff", base, "--fail-on", "BARK", cwd=repo.path)
    assert done.returncode == 0, done.stdout
    assert "shell-injection" not in done.stdout
    assert "1 file judged: 0 BARK, 0 GROWL, 0 WAG, 1 HOWL (verdicts of the lines changed since" in done.stdout
    whole = cynic("app.py", cwd=repo.path)
    assert whole.returncode == 1  # the file as a whole still BARKs


def test_a_change_that_feeds_untrusted_input_to_an_old_call_is_reported(repo):
    call = '    done = subprocess.run(request.form["cmd"], shell=True)'
    fixed = HOLE.replace(call, '    command = "uptime"\n    done = subprocess.run(command, shell=True)')
    repo.write("app.py", fixed)
    base = repo.commit("a fixed command")
    repo.write("app.py", fixed.replace('command = "uptime"', 'command = request.form["cmd"]'))
    report = judged_json("--diff", base, cwd=repo.path)
    (entry,) = report["files"]
    (hole,) = [f for f in entry["findings"] if f["rule"] == "shell-injection"]
    assert (hole["source_line"], hole["line"]) == (HOLE_LINE, HOLE_LINE + 1)  # the call itself did not change
    assert report["failed"] == ["app.py"]


def test_untracked_files_count_as_changed_and_ignored_ones_do_not(repo):
    repo.write(".gitignore", "scratch/\n")
    repo.write("prices.py", CLEAN)
    base = repo.commit()
    repo.write("new.py", HOLE)
    repo.write("scratch/try.py", HOLE)
    report = judged_json("--diff", base, cwd=repo.path)
    assert [f["path"] for f in report["files"]] == ["new.py"]
    assert report["failed"] == ["new.py"]


def test_paths_restrict_the_diff_and_paths_are_shown_from_the_current_directory(repo):
    repo.write("src/app.py", CLEAN)
    repo.write("tools/run.py", CLEAN)
    base = repo.commit()
    repo.write("src/app.py", HOLE)
    repo.write("tools/run.py", HOLE)
    from_top = judged_json("--diff", base, "src", cwd=repo.path)["files"]
    from_tools = judged_json("--diff", base, ".", cwd=repo.path / "tools")["files"]
    assert [f["path"] for f in from_top] == ["src/app.py"] and [f["path"] for f in from_tools] == ["run.py"]


def test_deleted_files_and_files_the_judge_does_not_read_are_left_out(repo):
    repo.write("old.py", HOLE)
    repo.write("notes.md", "# notes\n")
    base = repo.commit()
    (repo.path / "old.py").unlink()
    repo.write("notes.md", "# notes\n\nos.system(input())\n")
    done = cynic("--diff", base, cwd=repo.path)
    assert done.returncode == 0 and "0 files judged" in done.stdout


def test_an_unknown_revision_is_a_usage_error(repo):
    repo.write("app.py", CLEAN)
    repo.commit()
    done = cynic("--diff", "no-such-branch", cwd=repo.path)
    assert done.returncode == 2 and "'no-such-branch' is not a commit git knows" in done.stderr
    assert cynic("--diff", "--output=/tmp/x", cwd=repo.path).returncode == 2


def test_the_patch_parser_reads_added_lines_new_files_and_quoted_names():
    patch = "\n".join(
        [
            "diff --git a/app.py b/app.py",
            "index 1..2 100644",
            "--- a/app.py",
            "+++ b/app.py",
            "@@ -3 +3 @@ def f():",
            "--- a removed line that looks like a header",
            "+++ an added line that looks like a header",
            "@@ -10,0 +11,2 @@",
            "+x = 1",
            "+y = 2",
            "@@ -20,3 +22,0 @@",
            "diff --git a/new.py b/new.py",
            "new file mode 100644",
            "--- /dev/null",
            "+++ b/new.py",
            "@@ -0,0 +1,3 @@",
            "diff --git a/gone.py b/gone.py",
            "--- a/gone.py",
            "+++ /dev/null",
            "@@ -1,2 +0,0 @@",
            'diff --git "a/t\\303\\251st \\"q\\".py" "b/t\\303\\251st \\"q\\".py"',
            '--- "a/t\\303\\251st \\"q\\".py"',
            '+++ "b/t\\303\\251st \\"q\\".py"',
            "@@ -1 +1 @@",
            "diff --git a/with space.py b/with space.py",
            "--- a/with space.py\t",
            "+++ b/with space.py\t",
            "@@ -5,0 +6 @@",
        ]
    )
    assert parse_patch(patch) == {
        "app.py": Change(new=False, lines={3, 11, 12}),
        "new.py": Change(new=True, lines={1, 2, 3}),
        't\u00e9st "q".py': Change(new=False, lines={1}),
        "with space.py": Change(new=False, lines={6}),
    }
