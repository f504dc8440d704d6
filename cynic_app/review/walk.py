"""The files `cynic judge PATH…` reads.

A file named on the command line is judged whatever its name (the judge tells the language
from its extension, else from its text). A directory is walked: a file is judged when its
extension is one the judge reads (corpora.LANGUAGE_OF_EXTENSION) and git would not ignore it.
Ignored, as git does: what the ``.gitignore`` files of the walked directories say, and those of
their parents up to the repository's top, and its ``.git/info/exclude`` (the global
``core.excludesFile`` is not read). As git, an ignore pattern applies to untracked files only: a
file the repository tracks is judged whatever pattern matches it (``lib/`` in a .gitignore does
not hide the tracked code below it). Never walked: vendored and generated trees
(corpora.SKIPPED_DIRECTORIES: node_modules, .venv, site-packages, dist, build…) and any directory
holding a ``pyvenv.cfg`` (a virtualenv by another name). Symbolic links to directories are not
followed. Binary files are recognised when read (run.py), by a NUL byte, as git does.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

import pathspec

from ..evaluate.corpora import LANGUAGE_OF_EXTENSION, SKIPPED_DIRECTORIES

#: As git: a file with a NUL byte in its first 8000 bytes is binary.
BINARY_SNIFF_BYTES = 8000

_Spec = tuple[Path, pathspec.GitIgnoreSpec]  # the directory a .gitignore lives in, its patterns


def is_binary(head: bytes) -> bool:
    return b"\0" in head[:BINARY_SNIFF_BYTES]


def is_judged_name(path: str | Path) -> bool:
    """A file a walk judges: an extension the judge reads, outside vendored trees."""
    parts = Path(path).parts
    return Path(path).suffix.lower() in LANGUAGE_OF_EXTENSION and not any(
        part in SKIPPED_DIRECTORIES for part in parts[:-1]
    )


def source_files(paths: Iterable[str | Path]) -> list[str]:
    """Every file to judge under paths, each once, sorted, spelled as given (normalised)."""
    found: set[str] = set()
    for given in paths:
        path = os.path.normpath(given)
        if os.path.isdir(path):
            found.update(_walk(path))
        else:
            found.add(path)
    return sorted(found)


def _walk(root: str) -> Iterator[str]:
    specs: dict[str, list[_Spec]] = {root: _inherited(_absolute(root))}
    tracked = _tracked(root)
    holding = {parent for path in tracked for parent in path.parents}  # directories with tracked files
    for dirpath, dirnames, filenames in os.walk(root):
        chain = specs.pop(dirpath)
        own = _read_gitignore(Path(dirpath) / ".gitignore")
        if own is not None:
            chain = [*chain, (_absolute(dirpath), own)]
        kept = []
        for name in sorted(dirnames):
            full = os.path.join(dirpath, name)
            if name in SKIPPED_DIRECTORIES or os.path.exists(os.path.join(full, "pyvenv.cfg")):
                continue
            if _absolute(full) in holding or not _ignored(chain, _absolute(full), is_dir=True):
                kept.append(name)
                specs[full] = chain
        dirnames[:] = kept
        for name in filenames:
            full = os.path.join(dirpath, name)
            if not (is_judged_name(name) and os.path.isfile(full)):
                continue
            if _absolute(full) in tracked or not _ignored(chain, _absolute(full)):
                yield os.path.normpath(full)


def _tracked(root: str) -> set[Path]:
    """The files git tracks below root (absolute, spelled as _absolute spells them); none outside
    a repository, or without git."""
    try:
        listed = ["git", "ls-files", "-z", "--cached"]
        done = subprocess.run(listed, cwd=root, capture_output=True, check=False)
    except FileNotFoundError:  # no git: no repository to ask, only its ignore files
        return set()
    if done.returncode != 0:  # not in a repository
        return set()
    base = _absolute(root)
    return {base / os.fsdecode(name) for name in done.stdout.split(b"\0") if name}


def _inherited(directory: Path) -> list[_Spec]:
    """The ignore files above directory that apply to it: the repository's exclude file and the
    .gitignore of every parent up to the top, outermost first (the deepest has the last word)."""
    top = next((d for d in (directory, *directory.parents) if (d / ".git").exists()), None)
    if top is None or top == directory:
        chain = []
    else:
        between = [d for d in directory.parents if d == top or top in d.parents]
        chain = [(d, s) for d in reversed(between) if (s := _read_gitignore(d / ".gitignore")) is not None]
    if top is not None:
        exclude = _read_gitignore(_git_dir(top) / "info" / "exclude")
        if exclude is not None:
            chain.insert(0, (top, exclude))
    return chain


def _absolute(path: str) -> Path:
    """path made absolute without resolving symbolic links (so it stays below its walk's root)."""
    return Path(os.path.abspath(path))


def _git_dir(top: Path) -> Path:
    """Where the repository keeps info/exclude: ``.git``, or for a linked worktree (whose
    ``.git`` is a file naming its own git directory) the common directory of all its worktrees."""
    dot_git = top / ".git"
    if not dot_git.is_file():
        return dot_git
    text = dot_git.read_text(errors="replace").strip()
    gitdir = top / text.removeprefix("gitdir:").strip()  # an absolute path replaces top
    common = gitdir / "commondir"
    return gitdir / common.read_text().strip() if common.is_file() else gitdir


def _read_gitignore(path: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(chain: list[_Spec], path: Path, *, is_dir: bool = False) -> bool:
    """Whether git would ignore path: the deepest ignore file with a pattern for it decides."""
    for base, spec in reversed(chain):
        relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        verdict = spec.check_file(relative).include
        if verdict is not None:
            return verdict
    return False
