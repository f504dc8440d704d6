"""JavaScript, TypeScript (JSX/TSX) and shell parsed into trees by tree-sitter, and the iterative
readers every check of those languages shares.

tree-sitter recovers from errors: a file with one broken statement is still a tree whose broken
part is an ERROR (or MISSING) node, so the rest is judged; the broken places are findings on their
lines, never a verdict on the whole file. The parse is linear in the size of the input, and every
reader here walks with an explicit stack: a 50,000-deep nesting cannot exhaust Python's stack.

Grammars: ``.tsx`` files are read as TSX, other TypeScript as TypeScript (and as TSX when only that
grammar accepts it: a context-less snippet with JSX), ``.js``/``.jsx``/``.mjs``/``.cjs`` and
JavaScript guessed from the content as JavaScript (whose grammar includes JSX), shell as bash.
Parsers are built lazily, once per process (nothing is created at import time).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

import tree_sitter
import tree_sitter_bash
import tree_sitter_javascript
import tree_sitter_typescript

JS, TS, TSX, BASH = "javascript", "typescript", "tsx", "bash"
#: Syntax errors reported per file: the first few say where; more would only repeat it.
MAX_SYNTAX_FINDINGS = 3
#: Lines blanked to read past errors that swallow the lines after them (parse_recovering).
MAX_REPAIRS = 8

_GRAMMARS = {
    JS: tree_sitter_javascript.language,
    TS: tree_sitter_typescript.language_typescript,
    TSX: tree_sitter_typescript.language_tsx,
    BASH: tree_sitter_bash.language,
}


@cache
def _parser(grammar: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(_GRAMMARS[grammar]()))


def grammar_for(language: str, context: str) -> str:
    """The grammar to read content of language with (source.py's names), given its context."""
    if language == "shell":
        return BASH
    if language == "typescript":
        return TSX if ".tsx" in context.lower() else TS
    return JS


def parse(text: str, grammar: str) -> tree_sitter.Tree:
    """The tree of text. TypeScript that only the TSX grammar accepts is read as TSX."""
    return _parse(text.encode("utf-8", "surrogatepass"), grammar)


def _parse(data: bytes, grammar: str) -> tree_sitter.Tree:
    tree = _parser(grammar).parse(data)
    jsx = b"</" in data or b"/>" in data  # an element closes: only then can TSX read it better
    if grammar == TS and jsx and tree.root_node.has_error:
        other = _parser(TSX).parse(data)
        if not other.root_node.has_error:
            return other
    return tree


class Parsed(NamedTuple):
    """A tree, and the lines blanked to read past the errors they started."""

    tree: tree_sitter.Tree
    skipped: tuple[int, ...] = ()

    @property
    def root_node(self) -> tree_sitter.Node:
        return self.tree.root_node


def parse_recovering(text: str, grammar: str) -> Parsed:
    """The tree of text, read past lines that swallow what follows them into an error.

    tree-sitter recovers within a statement, but a line that is not code at all (HTML pasted
    above a script, a stray fence) can turn the lines after it into one ERROR node. When a
    top-level error starts on one line and spans later ones, that line is blanked (spaces, so
    every offset stays) and the text parsed again, at most MAX_REPAIRS times: linear in the size.
    A repair is kept only when it brings back more than the line it removed.
    """
    data = bytearray(text.encode("utf-8", "surrogatepass"))
    tree = _parse(bytes(data), grammar)
    skipped: list[int] = []
    for _ in range(MAX_REPAIRS):
        broken = _first_spanning_error(tree.root_node)
        if broken is None:
            break
        row = broken.start_point[0]
        start = broken.start_byte - broken.start_point[1]
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        trial = bytearray(data)
        trial[start:end] = b" " * (end - start)
        repaired = _parse(bytes(trial), grammar)
        if _error_bytes(repaired.root_node) + (end - start) >= _error_bytes(tree.root_node):
            break
        data, tree = trial, repaired
        skipped.append(row + 1)
    return Parsed(tree, tuple(skipped))


def _first_spanning_error(root: tree_sitter.Node) -> tree_sitter.Node | None:
    for child in root.children:
        if child.is_error and child.end_point[0] > child.start_point[0]:
            return child
    return None


def _error_bytes(root: tree_sitter.Node) -> int:
    return sum(c.end_byte - c.start_byte for c in root.children if c.is_error)


def walk(root: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Every node under root (root included), parents before children, in source order."""
    stack = [root]
    pop, extend = stack.pop, stack.extend
    while stack:
        node = pop()
        yield node
        children = node.named_children
        if children:
            extend(reversed(children))


#: What may stand just before a comment in bash, which starts one only at a word's start: after a
#: \r, a form feed or \x0b (blanks to tree-sitter-bash) the '#' is part of a word.
_BASH_BEFORE_COMMENT = frozenset(b" \t\n;&|()<>`")
#: What ends a line in JavaScript besides \n (a lone \r, U+2028, U+2029): tree-sitter's rows do not.
_JS_BREAKS = (b"\r", "\u2028".encode(), "\u2029".encode())


def _starts_bash_word(data: bytes, at: int) -> bool:
    """Whether bash starts a word at data[at]: after a blank or an operator that no backslash
    escapes ('a\\ #b' is the word 'a #b'); a backslash-newline is gone, as bash joins the lines."""
    while at > 0:
        before = data[at - 1]
        if before not in _BASH_BEFORE_COMMENT:
            return False
        slashes = 0
        while at - 2 - slashes >= 0 and data[at - 2 - slashes] == 0x5C:  # '\\'
            slashes += 1
        if not slashes % 2:
            return True
        if before != 0x0A:  # an escaped blank or operator is part of the word
            return False
        at -= 2  # a line continuation: what stood before it
    return True


def comments(root: tree_sitter.Node, data: bytes, grammar: str) -> dict[int, str]:
    """{line: its comments}: each comment node's text on the line it starts on (a block comment's
    first line: the rest is on other lines; a comment on a line blanked by parse_recovering is
    gone, as the line is). data is the text parsed, as UTF-8. Not a comment, though tree-sitter
    reads one: in bash, a '#' inside a word; in JavaScript and TypeScript, a comment on a row that
    a lone \\r, U+2028 or U+2029 splits into lines (the comment and the code beside it are on
    different lines, as an editor shows them). Linear: each row is looked at once."""
    found: dict[int, list[str]] = {}
    split: dict[int, bool] = {}  # a row: whether a JavaScript line break splits it
    for node in walk(root):
        if node.type != "comment":
            continue
        start, row = node.start_byte, node.start_point[0]
        if grammar == BASH:
            if not _starts_bash_word(data, start):
                continue
        elif row not in split:
            line_start = start - node.start_point[1]
            end = data.find(b"\n", line_start)
            line = data[line_start : len(data) if end < 0 else end].removesuffix(b"\r")
            split[row] = any(b in line for b in _JS_BREAKS)
        if split.get(row):
            continue
        found.setdefault(row + 1, []).append(text_of(node).split("\n", 1)[0])
    return {line: " ".join(texts) for line, texts in found.items()}


def text_of(node: tree_sitter.Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def line_of(node: tree_sitter.Node) -> int:
    """The 1-based line a node starts on."""
    return node.start_point[0] + 1


def syntax_errors(root: tree_sitter.Node) -> list[tuple[int, str]]:
    """(line, what) of the first places the parser had to recover from, in source order. Only
    subtrees that hold an error are entered."""
    found: list[tuple[int, str]] = []
    stack = [root]
    while stack and len(found) < MAX_SYNTAX_FINDINGS:
        node = stack.pop()
        if node.is_missing:
            found.append((line_of(node), f"'{node.type}' is missing here"))
            continue
        if node.is_error:
            snippet = text_of(node)[:40].split("\n", 1)[0].strip()
            found.append((line_of(node), f"cannot parse {snippet!r}" if snippet else "cannot parse this"))
            continue
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing]))
    return found
