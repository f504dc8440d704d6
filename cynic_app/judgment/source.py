"""Facts about a cell's content, computed once and shared by every dog.

Parsing is the expensive part of judging, so a ``Source`` parses Python at most once and
collects in a single AST walk everything the dogs ask about. Content that is not Python is
still described (lines, URLs, text patterns) so every dog can vote on any reality.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

_CODE_HINT_RE = re.compile(
    r"^\s*(def |class |import |from \S+ import |return\b|if .*:|for .*:|while .*:|try:|"
    r"except\b|with .*:|@\w|\w+\s*=[^=]|\w+\(.*\)\s*$)",
    re.MULTILINE,
)
_FOREIGN_CODE_RE = re.compile(
    r"(\bfunction\s+\w+\s*\(|=>|\bconst\s+\w+\s*=|\bvar\s+\w+\s*=|;\s*$|\{\s*$|#include|"
    r"\bpublic\s+(static\s+)?\w+|\bSELECT\b.+\bFROM\b|\$\(|\bfn\s+\w+\()",
    re.MULTILINE | re.IGNORECASE,
)
_LETTER_RE = re.compile(r"[^\W\d_]")
_UPPER_RE = re.compile(r"[A-Z]")
URL_RE = re.compile(r"\b(?:https?|ftp)://[^\s'\"<>()\[\]{}]*|\bwww\.[^\s'\"<>()\[\]{}]+", re.I)


@dataclass
class Function:
    name: str
    lineno: int
    length: int
    n_args: int
    depth: int
    is_stub: bool
    has_docstring: bool
    annotated: bool
    returns: str | None  # the return annotation as source text
    return_kinds: list[str] = field(default_factory=list)  # type names of constant returns


@dataclass
class Call:
    name: str  # dotted, e.g. "subprocess.run"
    lineno: int
    keywords: dict[str, object]
    first_arg: ast.expr | None
    arg_names: list[str]  # dotted names used anywhere in the arguments


class Source:
    """Everything the pack knows about one piece of content."""

    def __init__(self, content: str, context: str = ""):
        self.text = content
        self.context = context
        self.lines = content.splitlines() or [""]
        self.lower = content.lower()
        self.tree: ast.Module | None = None
        self.syntax_error: str | None = None
        self.looks_like_code = self._looks_like_code()
        if self.looks_like_code:
            try:
                self.tree = ast.parse(content)
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                self.syntax_error = f"{type(exc).__name__}: {getattr(exc, 'msg', exc)}"
        self.is_python = self.tree is not None
        self.functions: list[Function] = []
        self.classes: dict[str, int] = {}  # class name -> methods
        self.imports: list[tuple[str, bool, bool]] = []  # (module, wildcard, relative)
        self.calls: list[Call] = []
        self.strings: list[tuple[str, int]] = []
        self.assigned_strings: list[tuple[str, str, int]] = []  # (target, value, line)
        self.bare_excepts: list[int] = []
        self.swallowed_excepts: list[int] = []
        self.asserts: list[ast.Assert] = []
        self.max_depth = 0
        self.n_statements = 0
        self._memo: dict[str, object] = {}
        if self.tree is not None:
            self._walk(self.tree)

    def memo(self, key: str, compute):
        """Return compute(self), computed once per Source (dogs share findings this way)."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]

    def _looks_like_code(self) -> bool:
        hits = len(_CODE_HINT_RE.findall(self.text))
        return hits >= max(1, len(self.lines) // 4) or bool(_FOREIGN_CODE_RE.search(self.text))

    @cached_property
    def is_code(self) -> bool:
        """True for Python and for text that reads like another programming language."""
        return self.is_python or self.looks_like_code

    @cached_property
    def comment_lines(self) -> int:
        return sum(1 for ln in self.lines if ln.lstrip().startswith(("#", "//")))

    @cached_property
    def urls(self) -> list[str]:
        return URL_RE.findall(self.text)

    @cached_property
    def shouting(self) -> bool:
        """True when most letters are upper case (and there are enough to tell)."""
        sample = self.text[:4096]  # tone shows early; counting every letter of a big file is waste
        letters = len(_LETTER_RE.findall(sample))
        return letters > 20 and len(_UPPER_RE.findall(sample)) / letters > 0.5

    @cached_property
    def literal_counts(self) -> Counter:
        """How often each non-trivial string literal repeats."""
        return Counter(s for s, _ in self.strings if len(s) >= 4 and "\n" not in s)

    def _walk(self, tree: ast.Module) -> None:
        """Visit every node once, tracking nesting depth and the enclosing function."""
        nesting = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)
        functions = (ast.FunctionDef, ast.AsyncFunctionDef)
        stack: list[tuple[ast.AST, int, Function | None, int]] = [(tree, 0, None, 0)]
        while stack:
            node, depth, owner, owner_depth = stack.pop()
            if isinstance(node, ast.stmt):
                self.n_statements += 1
                self.max_depth = max(self.max_depth, depth)
                if owner is not None:
                    owner.depth = max(owner.depth, depth - owner_depth)
            if isinstance(node, functions):
                owner, owner_depth = _describe_function(node), depth
                self.functions.append(owner)
            elif isinstance(node, ast.Return) and owner is not None:
                if isinstance(node.value, ast.Constant):
                    owner.return_kinds.append(type(node.value.value).__name__)
            else:
                self._visit(node)
            children = [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr_context)]
            stack.extend(
                (child, depth + isinstance(child, nesting), owner, owner_depth)
                for child in reversed(children)  # popped in source order
            )

    def _visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.ClassDef):
            self.classes[node.name] = sum(
                isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)) for b in node.body
            )
        elif isinstance(node, ast.Import):
            self.imports.extend((alias.name, False, False) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            wildcard = any(alias.name == "*" for alias in node.names)
            self.imports.append((node.module or "", wildcard, node.level > 0))
        elif isinstance(node, ast.Call):
            self.calls.append(_describe_call(node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.strings.append((node.value, getattr(node, "lineno", 0)))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            self._note_assignment(node)
        elif isinstance(node, ast.ExceptHandler):
            if node.type is None:
                self.bare_excepts.append(node.lineno)
            if _only_passes(node.body) and _is_broad(node.type):
                self.swallowed_excepts.append(node.lineno)
        elif isinstance(node, ast.Assert):
            self.asserts.append(node)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if _is_str(key) and _is_str(value):
                    self.assigned_strings.append((key.value, value.value, node.lineno))

    def _note_assignment(self, node: ast.Assign | ast.AnnAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if node.value is None or not _is_str(node.value):
            return
        for target in targets:
            name = dotted_name(target)
            if name:
                self.assigned_strings.append((name, node.value.value, node.lineno))


def dotted_name(node: ast.AST | None) -> str:
    """Return "a.b.c" for Name/Attribute chains, "" for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):  # e.g. yaml.load(...).get -> treat callee as prefix
        inner = dotted_name(node.func)
        return ".".join([inner, *reversed(parts)]) if inner else ""
    return ""


def _is_str(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_broad(node: ast.expr | None) -> bool:
    return node is None or dotted_name(node) in ("Exception", "BaseException")


def _only_passes(body: list[ast.stmt]) -> bool:
    return all(
        isinstance(s, (ast.Pass, ast.Continue))
        or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in body
    )


def _describe_call(node: ast.Call) -> Call:
    keywords = {}
    for kw in node.keywords:
        if kw.arg is not None:
            keywords[kw.arg] = kw.value.value if isinstance(kw.value, ast.Constant) else kw.value
    names = [
        dotted_name(n) for arg in node.args for n in ast.walk(arg) if isinstance(n, (ast.Call, ast.Name))
    ]
    return Call(
        name=dotted_name(node.func),
        lineno=node.lineno,
        keywords=keywords,
        first_arg=node.args[0] if node.args else None,
        arg_names=[n for n in names if n],
    )


def _describe_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Function:
    """Describe a function's signature and body; depth and returns are filled in by the walk."""
    body = node.body
    has_doc = bool(body) and isinstance(body[0], ast.Expr) and _is_str(body[0].value)
    rest = body[1:] if has_doc else body
    stub = all(
        isinstance(s, ast.Pass)
        or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        or (isinstance(s, ast.Raise) and "NotImplementedError" in ast.unparse(s))
        for s in rest
    )
    args = node.args
    all_args = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return Function(
        name=node.name,
        lineno=node.lineno,
        length=(node.end_lineno or node.lineno) - node.lineno + 1,
        n_args=len([a for a in all_args if a.arg not in ("self", "cls")]),
        depth=0,
        is_stub=stub,
        has_docstring=has_doc,
        annotated=node.returns is not None or any(a.annotation is not None for a in all_args),
        returns=ast.unparse(node.returns) if node.returns is not None else None,
    )
