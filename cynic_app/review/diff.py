"""``cynic judge --diff REV``: judge what changed since REV, report what is on changed lines.

The files: those ``git diff REV`` shows added, copied, modified, renamed or changed in type (a
symbolic link made a file) between REV and the working tree (staged or not), plus the untracked
files git does not ignore (new files not yet added are part of the change); deleted files are
gone. With PATH arguments, only those under them; either way only files a walk would judge
(walk.is_judged_name below a directory given; a file given is judged whatever its name). A
submodule whose commit moved, or an untracked repository inside this one, is not a file: it is
reported skipped ("nested repository"); run --diff in it to judge its changes.

The lines: the added side of each hunk of ``git diff -U0 REV`` (a changed line is a removed line
and an added one). Every line of an untracked or added file is new. A renamed file's unchanged
lines are not changed lines.

A finding is on a changed line when its line is one, or any line of the statement it spans (to
``end_line``: ``shell=False`` made ``shell=True`` inside a wrapped call; not so for a matter of
taste, a function's length or complexity, which is on its ``def`` line only), or when the untrusted
input it follows was read on one (``source_line``: a change that feeds request data into an old
``os.system`` call made that call a hole). A finding about the whole file (line 0) is kept only
for a new file. The ``truncated`` finding is kept when a line past it changed: the judge did not
read that change. A file git calls binary (a NUL in its old version, a ``-diff`` attribute) is
diffed as text (``--text``): its lines still changed.
Each file is still judged whole: a line's meaning depends on the rest of its file.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field

from ..judgment.rules import RULES
from .report import FileReport
from .walk import is_judged_name

#: The finding that says where the judge stopped reading (engine.JUDGED_CHARS).
TRUNCATED = "truncated"


class DiffError(RuntimeError):
    """git could not say what changed (not a repository, an unknown revision)."""


@dataclass
class Change:
    """One changed file: its added lines, or every line (new)."""

    new: bool = False
    lines: set[int] = field(default_factory=set)
    #: A repository of its own (a submodule whose commit moved, an untracked nested repository):
    #: not a file, and its files are not this repository's changes; reported as skipped.
    repository: bool = False

    def holds(self, finding: dict) -> bool:
        line, source = finding.get("line") or 0, finding.get("source_line") or 0
        if self.new or source in self.lines:
            return True
        if finding.get("rule") == TRUNCATED:  # its line is the last one read: a change past it went unread
            return any(n >= line for n in self.lines)
        if not line:
            return False
        rule = RULES.get(finding.get("rule", ""))
        if rule is not None and rule.taste:  # a function's length, its complexity: not each line of it
            return line in self.lines
        end = max(finding.get("end_line") or line, line)  # a statement over lines: any of them
        return any(line <= n <= end for n in self.lines)


def changes(rev: str, paths: list[str], *, cwd: str = ".") -> dict[str, Change]:
    """{path as shown (relative to cwd): Change} for every judged file changed since rev, each path
    asked of its own repository (the current directory need not be in one: ``cynic judge --diff
    REV repo/``); one git diff per repository."""
    tops: dict[str, str] = {}  # a directory (resolved): the top of its repository
    specs: dict[str, list[tuple[str, str]]] = {}  # a repository's top: (path relative to it, its directory)
    named: set[str] = set()  # the files given as PATHs: judged whatever their names, as a walk judges them
    for path in paths:
        full = os.path.join(cwd, path)
        is_dir = os.path.isdir(full)
        directory = os.path.realpath(full if is_dir else os.path.dirname(full) or cwd)
        if directory not in tops:
            tops[directory] = os.path.realpath(_git(["rev-parse", "--show-toplevel"], directory).strip())
        top = tops[directory]
        spec = os.path.relpath(directory if is_dir else os.path.join(directory, os.path.basename(full)), top)
        specs.setdefault(top, []).append((spec, directory))
        if not is_dir:
            named.add(os.path.normpath(os.path.join(top, spec)))
    found: dict[str, Change] = {}
    for top, under in specs.items():
        for name, change in _changed(rev, top, [spec for spec, _ in under]).items():
            full = os.path.normpath(os.path.join(top, name))
            # As a walk: a vendored tree's name counts below the PATH given, not above it (build/repo).
            if full in named or any(_judged_below(full, directory, change) for _, directory in under):
                found[os.path.relpath(full, cwd)] = change
    return found


def _judged_below(full: str, directory: str, change: Change) -> bool:
    """Whether a walk of directory judges the file full (is_judged_name of its path below it), or
    reaches the repository of its own at full (whatever its name: its skip is said)."""
    below = os.path.relpath(full, directory)
    inside = below != os.pardir and not below.startswith(os.pardir + os.sep)
    return inside and (change.repository or is_judged_name(below))


def _changed(rev: str, top: str, paths: list[str]) -> dict[str, Change]:
    """{path relative to top: Change} of the repository at top, under paths (relative to top)."""
    commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], top, rev=rev)
    # --text: a file git calls binary (a NUL in the old version, a -diff attribute) still has lines.
    patch = _git(
        ["-c", "core.quotePath=false", "diff", "-U0", "--text", "--no-color", "--no-ext-diff",
         "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/", "--diff-filter=ACMRT", commit.strip(), "--",
         *paths],
        top,
    )  # fmt: skip
    found = parse_patch(patch)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name", "-z", "--", *paths], top)
    for name in filter(None, untracked.split("\0")):  # "nested/": an untracked repository of its own
        found[name.removesuffix("/")] = Change(new=True, repository=name.endswith("/"))
    return found


def parse_patch(patch: str) -> dict[str, Change]:
    """{path relative to the top: Change} from ``git diff -U0`` output (a/ and b/ prefixes)."""
    found: dict[str, Change] = {}
    current: Change | None = None
    # "--- "/"+++ " lines are headers only before a file's first hunk; is_link: a submodule's commit
    in_header = was_absent = is_link = False
    for line in patch.split("\n"):  # not splitlines(): a form feed in a changed line is not a line break
        if line.startswith("diff --git "):
            current, in_header, was_absent, is_link = None, True, False, False
        elif in_header and line.startswith(("index ", "new ")) and line.endswith(" 160000"):
            is_link = True  # a gitlink: "index a..b 160000", "new file mode 160000", "new mode 160000"
        elif in_header and line.startswith("--- "):
            was_absent = line == "--- /dev/null"
        elif in_header and line.startswith("+++ "):
            name = line[4:].removesuffix("\t")  # git adds a tab after a name holding a space
            current = None if name == "/dev/null" else found.setdefault(_unquote(name)[2:], Change())
            if current is not None and was_absent:
                current.new = True
            if current is not None and is_link:
                current.repository = True
        elif line.startswith("@@ "):
            in_header = False
            if current is not None:
                current.lines.update(_added_lines(line))
    return found


def _added_lines(hunk_header: str) -> range:
    """The lines a ``@@ -a,b +c,d @@`` header adds: c … c+d-1 (d is 1 when absent)."""
    added = hunk_header.split(" ")[2]  # "+c,d"
    start, _, count = added[1:].partition(",")
    return range(int(start), int(start) + (int(count) if count else 1))


def _unquote(name: str) -> str:
    """A path as git writes it: C-quoted (``"a/t\\303\\251st.py"``) when it holds odd bytes."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    out, i, body = bytearray(), 0, name[1:-1]
    escapes = {"n": b"\n", "t": b"\t", '"': b'"', "\\": b"\\", "a": b"\a", "b": b"\b", "f": b"\f",
               "r": b"\r", "v": b"\v"}  # fmt: skip
    while i < len(body):
        c = body[i]
        if c == "\\" and body[i + 1 : i + 2].isdigit():
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        elif c == "\\":
            out += escapes.get(body[i + 1], body[i + 1].encode())
            i += 2
        else:
            out += c.encode()
            i += 1
    return out.decode("utf-8", errors="surrogateescape")


def keep_changed(report: FileReport, change: Change) -> FileReport:
    """report with only the findings on changed lines; its gate then reads those alone."""
    report.findings = [f for f in report.findings if change.holds(f)]
    report.diffed = True
    return report


def _git(args: list[str], cwd: str, *, rev: str = "") -> str:
    """git's output; DiffError with git's reason (or, for rev-parse of rev, what rev is not). Paths
    are literal: a file named '[a].py' is not a pattern that names a.py."""
    try:
        done = subprocess.run(
            ["git", "--literal-pathspecs", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="surrogateescape",
            check=False,
        )
    except FileNotFoundError:
        raise DiffError("--diff needs git, and git is not installed") from None
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        reason = said[-1] if said else f"exit status {done.returncode}"
        raise DiffError(f"{rev!r} is not a commit git knows" if rev else f"git {args[0]}: {reason}")
    return done.stdout
