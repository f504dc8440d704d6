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

A finding is reported when it is on a changed line, or when the change made it: the file's
version at REV (its old name, for a renamed file) is judged too, and a finding whose rule and
line text (white space collapsed), in the same function or class, it did not hold as many times
is new, wherever it stands (a change that only deletes a sanitiser, or an argument inside a
wrapped call, adds no line and still opens a hole; moving a sanitiser from one function to
another with the same sink line moves the hole). A finding is on a changed line when its line
is one, or any line of the statement it spans (to ``end_line``: ``shell=False`` made
``shell=True`` inside a wrapped call; not so for a matter of taste, a function's length or
complexity, which is on its ``def`` line only), or when the untrusted input it follows was read
on one (``source_line``: a change that feeds request data into an old ``os.system`` call made
that call a hole). A finding about the whole file (line 0) is on no line: it is reported for a
new file, or when the version at REV did not have it. The ``truncated`` finding is kept when a
line past it changed: the judge did not read that change. A file git calls binary (a NUL in its
old version, a ``-diff`` attribute) is diffed as text (``--text``): its lines still changed.
Each file is still judged whole: a line's meaning depends on the rest of its file. Renames are
found across the whole repository, whatever PATHs narrow the files reported (a file moved into
a PATH from outside it is a move, not a new file). A symbolic link to a directory or to nothing is
skipped, as a walk skips it.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from dataclasses import dataclass, field

from ..judgment.rules import RULES
from .report import FileReport, finding_key
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
    #: Where its version at REV is: its name then (relative to the repository's top), the
    #: repository's top and REV's commit; empty for a new file.
    old: str = field(default="", compare=False)
    top: str = field(default="", compare=False)
    commit: str = field(default="", compare=False)

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
    # a repository's top: (a PATH relative to it, the PATH's directory when it is one, else "")
    specs: dict[str, list[tuple[str, str]]] = {}
    named: set[str] = set()  # the files given as PATHs: judged whatever their names, as a walk judges them
    for path in paths:
        full = os.path.join(cwd, path)
        is_dir = os.path.isdir(full)
        directory = os.path.realpath(full if is_dir else os.path.dirname(full) or cwd)
        if directory not in tops:
            tops[directory] = os.path.realpath(_git(["rev-parse", "--show-toplevel"], directory).strip())
        top = tops[directory]
        spec = os.path.relpath(directory if is_dir else os.path.join(directory, os.path.basename(full)), top)
        specs.setdefault(top, []).append((spec, directory if is_dir else ""))
        if not is_dir:
            named.add(os.path.normpath(os.path.join(top, spec)))
    found: dict[str, Change] = {}
    for top, under in specs.items():
        for name, change in _changed(rev, top, [spec for spec, _ in under]).items():
            full = os.path.normpath(os.path.join(top, name))
            # As a walk: a vendored tree's name counts below the PATH given, not above it (build/repo).
            below = any(directory and _judged_below(full, directory, change) for _, directory in under)
            if full in named or below:
                if os.path.islink(full) and not os.path.isfile(full):
                    continue  # a link to a directory or to nothing: a walk skips it too
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
    commit = commit.strip()
    # --text: a file git calls binary (a NUL in the old version, a -diff attribute) still has lines.
    # No pathspec: a rename is found only when both of its names are in the diff (changes() keeps
    # the files under the PATHs given).
    patch = _git(
        ["-c", "core.quotePath=false", "diff", "-U0", "--text", "--no-color", "--no-ext-diff",
         "--no-textconv", "--find-renames", "--src-prefix=a/", "--dst-prefix=b/", "--diff-filter=ACMRT",
         commit],
        top,
    )  # fmt: skip
    found = parse_patch(patch)
    for change in found.values():
        change.top, change.commit = top, commit
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
    old = ""  # the file's name at REV ("--- a/old")
    for line in patch.split("\n"):  # not splitlines(): a form feed in a changed line is not a line break
        if line.startswith("diff --git "):
            current, in_header, was_absent, is_link = None, True, False, False
        elif in_header and line.startswith(("index ", "new ")) and line.endswith(" 160000"):
            is_link = True  # a gitlink: "index a..b 160000", "new file mode 160000", "new mode 160000"
        elif in_header and line.startswith("--- "):
            was_absent = line == "--- /dev/null"
            old = "" if was_absent else _unquote(line[4:].removesuffix("\t"))[2:]
        elif in_header and line.startswith("+++ "):
            name = line[4:].removesuffix("\t")  # git adds a tab after a name holding a space
            current = None if name == "/dev/null" else found.setdefault(_unquote(name)[2:], Change())
            if current is not None and was_absent:
                current.new = True
            elif current is not None:
                current.old = old
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


def keep_changed(report: FileReport, change: Change, base: FileReport | None = None) -> FileReport:
    """report with only the findings the change made: on changed lines, or (base: the file's
    version at REV, judged) not in base as many times; its gate then reads those alone."""
    kept = [change.holds(f) for f in report.findings]
    if base is not None and base.judged:
        keys = [_compared(f, report) for f in report.findings]
        before = Counter(_compared(f, base) for f in base.findings)
        for key, more in (Counter(keys) - before).items():
            # more findings of this key than at REV: those on changed lines first, then the last
            left = more - sum(k and key == key_of for k, key_of in zip(kept, keys, strict=True))
            for i in reversed(range(len(keys))):
                if left <= 0:
                    break
                if keys[i] == key and not kept[i]:
                    kept[i], left = True, left - 1
    report.keep(kept)
    report.diffed = True
    return report


def _compared(finding: dict, report: FileReport) -> tuple[str, str, str]:
    """What a finding is compared by with the file's version at REV: its rule, its line's text
    and the definition that line stands in (the same sink line in two functions is two)."""
    return (*finding_key(finding, report.line_texts), report.scopes.get(finding.get("line") or 0, ""))


def base_source(change: Change) -> bytes | None:
    """The file's bytes at REV, None for a new file (or one git cannot show)."""
    if change.new or not change.old or not change.commit:
        return None
    blob = f"{change.commit}:{change.old}"
    done = subprocess.run(["git", "cat-file", "blob", blob], cwd=change.top, capture_output=True, check=False)
    return done.stdout if done.returncode == 0 else None


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
