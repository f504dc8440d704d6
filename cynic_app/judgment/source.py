"""Facts about a cell's content, computed once and shared by every dog.

Parsing is the expensive part of judging, so a ``Source`` parses Python at most once and the
one walk in pywalk.py collects everything the Python checks ask about. Other content is read
line by line (textchecks.py); JavaScript, TypeScript and shell are also parsed by tree-sitter
(``syntax_tree``, read by treechecks.py). Every fact is computed lazily and at most once.

Language: a context naming a file (``app.ts``) or saying ``language: shell`` decides it;
otherwise content that ``ast.parse`` accepts and that reads like code is Python, and the rest
is told apart by cues in its first 8 KB (a shebang, ``const``/``=>``, ``fi``/``done``...).
"""

from __future__ import annotations

import ast
import codeop
import io
import tokenize
from bisect import bisect_right
from collections import Counter
from functools import cached_property
from typing import NamedTuple

from .patterns import linear, tokens
from .pywalk import PyFacts

PYTHON, JAVASCRIPT, TYPESCRIPT, SHELL, OTHER_CODE, TEXT = (
    "python",
    "javascript",
    "typescript",
    "shell",
    "code",
    "text",
)
LANGUAGES = (PYTHON, JAVASCRIPT, TYPESCRIPT, SHELL, OTHER_CODE, TEXT)
#: Language cues are counted in this much of the content: enough to tell, bounded in cost.
CUE_SAMPLE_CHARS = 8192
#: What str.splitlines() breaks lines at besides \n: absent from a text, its lines are splitlines()'.
_OTHER_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")

_EXTENSIONS = {
    "py": PYTHON,
    "pyw": PYTHON,
    "js": JAVASCRIPT,
    "mjs": JAVASCRIPT,
    "cjs": JAVASCRIPT,
    "jsx": JAVASCRIPT,
    "ts": TYPESCRIPT,
    "tsx": TYPESCRIPT,
    "mts": TYPESCRIPT,
    "cts": TYPESCRIPT,
    "sh": SHELL,
    "bash": SHELL,
}
_NAMES = {
    "python": PYTHON,
    "py": PYTHON,
    "javascript": JAVASCRIPT,
    "js": JAVASCRIPT,
    "node": JAVASCRIPT,
    "typescript": TYPESCRIPT,
    "ts": TYPESCRIPT,
    "shell": SHELL,
    "bash": SHELL,
    "sh": SHELL,
}
_CONTEXT_FILE_RE = linear("context-file", r"[\w./-]+\.([A-Za-z]{1,4})\b")
_CONTEXT_LANG_RE = linear("context-language", r"(?i)\blang(?:uage)?\s*[:=]\s*([A-Za-z]+)")
_PY_CUES = linear(
    "python-cues",
    r"(?m)^[ \t]*(?:def \w+\(|class \w+[(:]|import \w|from [\w.]+ import |elif .*:|except\b.*:|"
    r"with .+:|return\b|if .+:$|for .+ in .+:$|@\w)",
)
_JS_CUES = linear(
    "javascript-cues",
    r"(?m)\b(?:const|let|var)\s+[\w{\[]|=>|\bfunction\b|\brequire\(|module\.exports|"
    r"^\s*import .+ from\s+['\"]|^\s*export\s|console\.\w+\(|document\.|;\s*$",
)
_TS_CUES = linear(
    "typescript-cues",
    r"(?m)^\s*(?:export\s+)?(?:interface|type)\s+\w+|:\s*(?:string|number|boolean|void|unknown|any)\b|"
    r"\bimport type\b|\b(?:private|public|protected|readonly)\s+\w+\s*[:(]|\bas\s+[A-Z]\w*",
)
_SH_CUES = linear(
    "shell-cues",
    r"(?m)^#!.*\b(?:ba|z|k|da)?sh\b|^\s*(?:fi|done|esac|then|do)\s*$|^\s*set\s+-[euxo]|"
    r"^\s*(?:export\s+)?[A-Z_][A-Z0-9_]*=\S|\$\{?\w+\}?|^\s*(?:echo|cd|mkdir|curl|apt-get|sudo)\s",
)
_SHEBANG_SHELL = linear("shell-shebang", r"^#!.*\b(?:ba|z|k|da)?sh\b")
_CODE_LINE_RE = linear(
    "code-line", r"(?m)[;{}()=]\s*$|^\s*(?:#include|package |using |fn |func |public |SELECT )"
)
_NON_LETTER_RE = tokens("non-letters", r"[\W\d_]+")
_NON_UPPER_RE = tokens("non-upper", r"[^A-Z]+")
_ASCII_LETTERS = bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B))
_ASCII_UPPER = bytes(range(0x41, 0x5B))
URL_RE = linear("url", r"(?i)\b(?:https?|ftp)://[^\s'\"<>()\[\]{}`]*|\bwww\.[^\s'\"<>()\[\]{}`]+")


class LineStats(NamedTuple):
    lines: int
    filled: int  # lines with something other than whitespace
    comments: int
    over_100: int  # filled lines longer than 100 characters
    filled_chars: int


def letter_counts(text: str) -> tuple[int, int]:
    """(letters, A-Z) in text; a letter is what \\w matches but neither a digit nor "_". ASCII
    text, whose letters are A-Z and a-z, is counted by deleting them in C (0.12 ms for 4 KB
    with the regexes, 5 us so)."""
    if text.isascii():
        raw = text.encode("ascii")
        n = len(raw)
        return n - len(raw.translate(None, _ASCII_LETTERS)), n - len(raw.translate(None, _ASCII_UPPER))
    return len(_NON_LETTER_RE.sub("", text)), len(_NON_UPPER_RE.sub("", text))


def lines_of(text: str, *, python: bool) -> list[str]:
    """text's lines, numbered as the findings are: Python's tokenizer ends a line at \\n, \\r\\n
    and a lone \\r, tree-sitter (JavaScript, TypeScript, shell) and the text checks at \\n alone
    (a \\r before it is not part of the line). Never at a form feed, \\x85 or U+2028, where
    str.splitlines() also breaks (every finding below one was a line off). A break that ends the
    text has no line after it. Source.line_text reads the same lines by offset."""
    if not any(c in text for c in _OTHER_BREAKS):
        return text.splitlines() or [""]  # the same lines, counted in C
    if python:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if len(lines) > 1 and text.endswith("\n"):
        lines.pop()
    return lines


def _templates_as_fstrings(text: str) -> str:
    """text with each template string prefix (Python 3.14's t'...', tr'...', rt'...') spelled as
    the f-string prefix it reads like: an older tokenizer read t'{"'"} # nosec' as a name and two
    strings, or a name, two strings and a comment. Same length: every offset and line stays."""
    lowered = text.lower()
    if "t'" not in lowered and 't"' not in lowered:
        return text
    ts: list[int] = []  # where a 't' is a string's prefix
    for quote in ("'", '"'):
        at = lowered.find("t" + quote)
        while at != -1:
            start = at - 1 if at and lowered[at - 1] == "r" else at  # rt'...'
            if start == 0 or not _in_name(text[start - 1]):
                ts.append(at)
            at = lowered.find("t" + quote, at + 2)
        at = lowered.find("tr" + quote)
        while at != -1:
            if at == 0 or not _in_name(text[at - 1]):
                ts.append(at)
            at = lowered.find("tr" + quote, at + 3)
    if not ts:
        return text
    ts.sort()
    parts, last = [], 0
    for at in ts:
        parts += [text[last:at], "f" if text[at] == "t" else "F"]
        last = at + 1
    parts.append(text[last:])
    return "".join(parts)


def _in_name(char: str) -> bool:
    return ("a" + char).isidentifier()


def _python_comments(text: str) -> tuple[dict[int, str], int]:
    """({line: its comments} as Python's tokenizer reads text (universal newlines, as the parser
    numbers lines), the first line it could not read: 0 when it read every line). The tokenizer
    reads Python the parser refuses (a byte-order mark, a newer version's syntax, an error below):
    its comments are still told from its strings, a template string's (3.14) read as the f-string
    it is spelled like."""
    found: dict[int, str] = {}
    read = _templates_as_fstrings(text)
    lines = io.StringIO(text, newline=None).readlines() if read is not text else None
    try:
        read.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which no file holds: a '?' each, columns kept
        read = read.encode("utf-8", "replace").decode("utf-8")
    try:
        for token in tokenize.generate_tokens(io.StringIO(read, newline=None).readline):
            if token.type == tokenize.COMMENT:
                (row, col), said = token.start, token.string
                if lines is not None:  # the comment as written, not as respelled
                    said = lines[row - 1][col : col + len(said)]
                found[row] = said  # one to a line: a comment runs to the line's end
    except SyntaxError as exc:  # an indentation the tokenizer refuses
        return found, exc.lineno or 1
    except tokenize.TokenError as exc:  # (message, (line, column))
        where = exc.args[1] if len(exc.args) > 1 else None
        return found, where[0] if isinstance(where, tuple) and where and where[0] else 1
    return found, 0


def _incomplete(text: str) -> bool:
    """Whether text fails to parse only because it ends too soon: Python's own test, as its
    interactive prompt asks for another line (codeop)."""
    try:
        compile(text, "<cut>", "exec", ast.PyCF_ONLY_AST | codeop.PyCF_ALLOW_INCOMPLETE_INPUT)
    except SyntaxError as exc:
        return exc.msg == "incomplete input"
    except (ValueError, RecursionError, MemoryError):
        return False
    return False


class Source:
    """Everything the pack knows about one piece of content."""

    def __init__(self, content: str, context: str = "", *, cut: bool = False):
        """cut: content is the first part of a longer one (engine.judged_part), so a parse that
        fails only because its input ends early (inside a bracket, a string, a block) is not a
        syntax error of the content; the part is then read as text."""
        self.text = content
        self.context = context
        self.cut = cut
        self.tree: ast.Module | None = None
        self.syntax_error: str | None = None
        self.syntax_error_line = 0
        self._memo: dict[str, object] = {}
        given = language_from_context(context)
        if given in (None, PYTHON):
            self._parse_python(forced=given == PYTHON)
        self.is_python = self.tree is not None
        self.language = PYTHON if self.is_python or self.syntax_error else given or self._guess_language()

    def _parse_python(self, *, forced: bool) -> None:
        try:
            tree = ast.parse(self.text)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            if self.cut and isinstance(exc, SyntaxError) and _incomplete(self.text):
                return  # the cut fell inside a statement: the whole content may well parse
            if forced or self._reads_like_python():
                self.syntax_error = f"{type(exc).__name__}: {getattr(exc, 'msg', exc)}"
                self.syntax_error_line = getattr(exc, "lineno", 0) or 0
            return
        if forced or _is_code_tree(tree):
            self.tree = tree

    def memo(self, key: str, compute):
        """Return compute(self), computed once per Source (dogs share findings this way)."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]

    # -- language ---------------------------------------------------------------------------

    def _cues(self) -> dict[str, int]:
        return self.memo("cues", _count_cues)

    def _reads_like_python(self) -> bool:
        cues = self._cues()
        return cues[PYTHON] >= 2 and cues[PYTHON] > max(cues[JAVASCRIPT], cues[SHELL])

    def _guess_language(self) -> str:
        cues = self._cues()
        sample = self.text[:CUE_SAMPLE_CHARS]
        if sample.startswith("#!") and _SHEBANG_SHELL.match(sample):
            return SHELL
        if cues[JAVASCRIPT] >= 2 and cues[JAVASCRIPT] >= cues[SHELL]:
            return TYPESCRIPT if cues[TYPESCRIPT] >= 2 else JAVASCRIPT
        if cues[SHELL] >= 3:
            return SHELL
        n_lines = sample.count("\n") + 1
        if len(_CODE_LINE_RE.findall(sample)) >= max(2, n_lines // 4):
            return OTHER_CODE
        return TEXT

    @property
    def is_code(self) -> bool:
        """True for Python and for text that reads like another programming language."""
        return self.language != TEXT

    # -- facts ------------------------------------------------------------------------------

    @cached_property
    def py(self) -> PyFacts | None:
        """The facts of the one walk over the Python tree (None when not Python)."""
        return PyFacts(self.tree) if self.tree is not None else None

    @cached_property
    def syntax_tree(self):
        """The tree-sitter tree of JavaScript, TypeScript or shell (tsparse.py); None otherwise."""
        if self.language not in (JAVASCRIPT, TYPESCRIPT, SHELL):
            return None
        from .tsparse import grammar_for, parse_recovering

        return parse_recovering(self.text, grammar_for(self.language, self.context))

    @cached_property
    def docstring_lines(self) -> frozenset[int]:
        """The lines of docstrings: every string that stands alone as a statement (Python only)."""
        if self.tree is None:
            return frozenset()
        lines: set[int] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                if isinstance(node.value.value, str):
                    lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        return frozenset(lines)

    @cached_property
    def lines(self) -> list[str]:
        return lines_of(self.text, python=self.language == PYTHON)

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def _line_starts(self) -> list[int]:
        """The offset where each line starts (``lines`` says where a line ends)."""
        starts = [0]
        find = self.text.find
        at = find("\n")
        while at != -1:
            starts.append(at + 1)
            at = find("\n", at + 1)
        if self.language == PYTHON and "\r" in self.text:  # a lone \r ends a Python line
            at = find("\r")
            while at != -1:
                if not self.text.startswith("\n", at + 1):
                    starts.append(at + 1)
                at = find("\r", at + 1)
            starts.sort()
        return starts

    def line_of(self, offset: int) -> int:
        """The 1-based line holding character offset."""
        return bisect_right(self._line_starts, offset)

    def in_characters(self, findings: list) -> list:
        """The findings, their columns counted in characters (Python's tree counts UTF-8 bytes)."""
        from dataclasses import replace

        out = []
        for f in findings:
            if f.column > 1:
                text = self.line_text(f.line)
                if not text.isascii():
                    prefix = text.encode("utf-8", "surrogatepass")[: f.column - 1]
                    f = replace(f, column=len(prefix.decode("utf-8", "ignore")) + 1)
            out.append(f)
        return out

    def suppress(self, findings: list) -> list:
        """The findings, those a suppression comment on their line names marked (suppress.py)."""
        from .suppress import suppress

        if not ("#" in self.text or "//" in self.text):
            return findings
        return suppress(findings, self.line_text, self.comment_of)

    def comment_of(self, line: int) -> str | None:
        """The comments on a 1-based line, as the parser found them ("" when none); None when no
        parser read the line (prose, other code, Python past where its tokenizer stopped).
        The comments are found at the first call: suppress.py asks only for a line whose text
        names a suppression (it costs about as much as a parse)."""
        read = self._comments
        if read is None or (read[1] and line >= read[1]):
            return None
        return read[0].get(line, "")

    @cached_property
    def _comments(self) -> tuple[dict[int, str], int] | None:
        """({line: its comments}, the first line not read: 0 when all were), from Python's
        tokenizer (Python the parser refuses too) or tree-sitter's comment nodes; None for prose
        and other code."""
        if self.language == PYTHON:
            return _python_comments(self.text)
        if self.syntax_tree is not None:
            from .tsparse import comments, grammar_for

            data = self.text.encode("utf-8", "surrogatepass")
            return comments(self.syntax_tree.root_node, data, grammar_for(self.language, self.context)), 0
        return None

    def line_text(self, line: int) -> str:
        """The text of a 1-based line ("" past the end)."""
        starts = self._line_starts
        if not 1 <= line <= len(starts):
            return ""
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[starts[line - 1] : end].removesuffix("\r")

    @cached_property
    def line_stats(self) -> LineStats:
        """Counts over the lines, in one pass."""
        filled = comments = over_100 = chars = 0
        for ln in self.lines:
            stripped = ln.lstrip()
            if stripped:
                filled += 1
                chars += len(ln)
                over_100 += len(ln) > 100
                comments += stripped.startswith(("#", "//"))
        return LineStats(len(self.lines), filled, comments, over_100, chars)

    @property
    def comment_lines(self) -> int:
        return self.line_stats.comments

    @cached_property
    def urls(self) -> list[str]:
        return URL_RE.findall(self.text)

    @cached_property
    def shouting(self) -> bool:
        """True when most letters are upper case (and there are enough to tell)."""
        # tone shows early; counting every letter of a big file is waste
        letters, upper = letter_counts(self.text[:4096])
        return letters > 20 and upper / letters > 0.5

    @cached_property
    def literal_counts(self) -> Counter:
        """How often each non-trivial string literal repeats."""
        strings = self.py.strings if self.py else []
        return Counter(s for s, _ in strings if len(s) >= 4 and "\n" not in s)

    # Shorthands the dogs and axioms use; empty for content that is not Python.
    @property
    def functions(self):
        return self.py.functions if self.py else []

    @property
    def classes(self) -> dict:
        return {name: methods for name, (_, methods, _) in self.py.classes.items()} if self.py else {}

    @property
    def imports(self) -> list[tuple[str, bool, bool]]:
        return [(m, w, r) for m, w, r, _ in self.py.imports] if self.py else []

    @property
    def calls(self):
        return self.py.calls if self.py else []

    @property
    def asserts(self):
        return self.py.asserts if self.py else []

    @property
    def bare_excepts(self) -> list[int]:
        return [h.lineno for h in self.py.handlers if h.bare] if self.py else []

    @property
    def swallowed_excepts(self) -> list[int]:
        return [h.lineno for h in self.py.handlers if h.broad and h.drops] if self.py else []

    @property
    def max_depth(self) -> int:
        return self.py.max_depth if self.py else 0

    @property
    def n_statements(self) -> int:
        return self.py.n_statements if self.py else 0


def _count_cues(src: Source) -> dict[str, int]:
    sample = src.text[:CUE_SAMPLE_CHARS]
    return {
        PYTHON: len(_PY_CUES.findall(sample)),
        JAVASCRIPT: len(_JS_CUES.findall(sample)),
        TYPESCRIPT: len(_TS_CUES.findall(sample)),
        SHELL: len(_SH_CUES.findall(sample)),
    }


def language_from_context(context: str) -> str | None:
    """The language a context names ("file: app.ts", "language: bash"), or None."""
    if not context:
        return None
    # Each pattern needs a string most contexts lack ("lang", any case; a dot): RE2's binding
    # costs microseconds even when it finds nothing, on every judgment.
    said = _CONTEXT_LANG_RE.search(context) if "lang" in context.lower() else None
    if said and said.group(1).lower() in _NAMES:
        return _NAMES[said.group(1).lower()]
    for match in _CONTEXT_FILE_RE.finditer(context) if "." in context else ():
        ext = match.group(1).lower()
        if ext in _EXTENSIONS:
            return _EXTENSIONS[ext]
    return None


def _is_code_tree(tree: ast.Module) -> bool:
    """A parse of prose is a few bare names or constants; code has real statements."""
    return any(
        not (isinstance(s, ast.Expr) and isinstance(s.value, (ast.Name, ast.Constant))) for s in tree.body
    )
