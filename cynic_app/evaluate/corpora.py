"""The three kinds of labelled corpus the judge is measured on, read from disk.

- **OWASP-style**: a CSV of ``name, category, real vulnerability (true/false), CWE`` beside a
  directory holding ``NAME.<ext>`` (OWASP Benchmark's ``expectedresults-*.csv`` and ``testcode/``).
- **Line-annotated files**: a comment on a line, or alone on the line just above it, says what the
  line holds: ``ruleid: X``, ``vuln: X``, ``bad: X`` or ``CWE-89`` for a hole, ``ok: X``,
  ``safe`` or ``good: X`` for a look-alike that is safe (semgrep's test convention and its
  cousins). ``todoruleid``/``todook`` say what a rule should one day do: they count as written.
- **Clean code**: every source file under a directory, read as well-kept code that should pass.

Every file is assigned to a half by a fixed hash of its name (split.py): tune on one, quote the
other.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .split import half_of

#: Extensions the judge reads, and the language each one is.
LANGUAGE_OF_EXTENSION = {
    ".py": "python",
    ".pyw": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".sh": "shell",
    ".bash": "shell",
}
#: Directories that hold generated, vendored or test code, never walked for clean code.
SKIPPED_DIRECTORIES = frozenset(
    {"node_modules", "__pycache__", ".git", "dist", "build", "vendor", "site-packages", ".venv", "venv"}
)
#: Markers of a labelled line (lower case, followed by ':' or the end of the comment).
_HOLE_MARKERS = ("ruleid", "todoruleid", "vuln", "bad")
_SAFE_MARKERS = ("ok", "todook", "safe", "good")
_COMMENT_STARTS = ("#", "//", "/*", "<!--", "--", "*")


@dataclass(frozen=True)
class OwaspCase:
    path: Path
    category: str
    vulnerable: bool
    cwe: int
    half: str


@dataclass
class AnnotatedFile:
    path: Path
    holes: dict[int, str] = field(default_factory=dict)  # line -> what the label says
    safe: dict[int, str] = field(default_factory=dict)
    half: str = ""


@dataclass(frozen=True)
class CleanFile:
    path: Path
    half: str


def read_owasp(csv_path: Path, code_dir: Path | None = None) -> list[OwaspCase]:
    """The cases of an OWASP-style expected-results CSV, each with its file (found by name)."""
    code_dir = code_dir or csv_path.parent / "testcode"
    by_stem = {p.stem: p for p in code_dir.iterdir() if p.suffix in LANGUAGE_OF_EXTENSION}
    cases = []
    with csv_path.open(newline="") as fh:
        for row in csv.reader(fh):
            if not row or row[0].lstrip().startswith("#"):
                continue
            name, category, real, cwe = (cell.strip() for cell in row[:4])
            if name not in by_stem:
                raise FileNotFoundError(f"{csv_path}: no file for case {name} in {code_dir}")
            path = by_stem[name]
            cases.append(OwaspCase(path, category, real.lower() == "true", int(cwe), half_of(path.name)))
    return cases


def source_files(root: Path) -> list[Path]:
    """Every file under root the judge reads, in a stable order, skipping vendored trees."""
    if root.is_file():
        return [root]
    found = []
    for path in sorted(root.rglob("*")):
        if any(part in SKIPPED_DIRECTORIES for part in path.relative_to(root).parts[:-1]):
            continue
        if path.is_file() and path.suffix in LANGUAGE_OF_EXTENSION:
            found.append(path)
    return found


def read_annotated(root: Path) -> list[AnnotatedFile]:
    """Every source file under root with at least one labelled line."""
    files = []
    for path in source_files(root):
        labelled = annotate(path.read_text(errors="replace"))
        if labelled.holes or labelled.safe:
            labelled.path, labelled.half = path, half_of(path.name)
            files.append(labelled)
    return files


def read_clean(root: Path) -> list[CleanFile]:
    return [CleanFile(p, half_of(p.name)) for p in source_files(root)]


def annotate(text: str) -> AnnotatedFile:
    """The labelled lines of one file (1-based). A label alone on its line applies to the next
    line that is not itself a comment or blank; a label after code applies to its own line."""
    labelled = AnnotatedFile(Path())
    pending: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        label = _label_of(line)
        if stripped.startswith(_COMMENT_STARTS):
            if label:
                pending.append(label)
            continue
        if not stripped:
            continue
        for kind, what in [*pending, *([label] if label else [])]:
            (labelled.holes if kind == "hole" else labelled.safe).setdefault(number, what)
        pending = []
    return labelled


def _label_of(line: str) -> tuple[str, str] | None:
    """("hole"|"safe", what) when the line's comment carries a label."""
    at = min((i for i in (line.find("#"), line.find("//"), line.find("/*")) if i >= 0), default=-1)
    if at < 0:
        return None
    comment = line[at:].lstrip("#/* ").strip()
    lowered = comment.lower()
    for marker in _HOLE_MARKERS:
        if lowered.startswith(marker + ":"):
            return "hole", comment[len(marker) + 1 :].strip()
    for marker in _SAFE_MARKERS:
        if lowered.startswith(marker + ":") or lowered == marker:
            return "safe", comment[len(marker) + 1 :].strip()
    if lowered.startswith("cwe-") and lowered[4:5].isdigit():
        return "hole", comment
    return None
