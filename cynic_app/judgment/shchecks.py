"""Checks of shell scripts, read from the tree-sitter bash tree: downloads piped into a shell,
``eval`` of variables, ``rm -r`` of an unguarded variable or of ``/``, TLS checks turned off,
secrets in assignments and on command lines, files made writable by everyone, failures hidden
with their error output, and scripts that carry on after a failed command.

Commands are read by their name and arguments as the shell would split them; nothing here applies
a pattern to the content.
"""

from __future__ import annotations

from tree_sitter import Node

from .rules import hit
from .secrets import is_secret_name, looks_secret
from .tsparse import line_of, syntax_errors, text_of, walk
from .vote import Finding

_SHELLS = frozenset({"sh", "bash", "zsh", "ksh", "dash"})
_DOWNLOADERS = frozenset({"curl", "wget"})
_EXPANSIONS = frozenset({"simple_expansion", "expansion"})
#: A script with more commands than this and no ``set -e`` carries on after a failure.
ERREXIT_AFTER = 5


def sh_findings(root: Node) -> list[Finding]:
    """Every finding of a shell tree, by line."""
    found = [hit("syntax-error", line, f"does not parse: {what}") for line, what in syntax_errors(root)]
    errexit = False
    for node in walk(root):
        kind = node.type
        if kind == "command":
            name, args = _command(node)
            if name == "set" and any(_sets_errexit(a, args) for a in args):
                errexit = True
            found += _command_findings(node, name, args)
        elif kind == "pipeline":
            found += _pipeline(node)
        elif kind == "variable_assignment":
            found += _assignment(node)
        elif kind == "list":
            found += _hidden_failure(node)
    commands = sum(1 for c in root.named_children if c.type != "comment")
    first = text_of(root.named_children[0]) if root.named_children else ""
    if (
        commands > ERREXIT_AFTER
        and not errexit
        and not (first.startswith("#!") and " -e" in first.split("\n", 1)[0])
    ):
        found.append(hit("no-errexit", 1, "no set -e: the script carries on after a failed command"))
    return found


def _command(node: Node) -> tuple[str, list[Node]]:
    name = node.child_by_field_name("name")
    args = node.children_by_field_name("argument")
    return (text_of(name) if name is not None else ""), args


def _sets_errexit(arg: Node, args: list[Node]) -> bool:
    text = text_of(arg)
    if text.startswith("-") and not text.startswith("--") and "e" in text:
        return True
    return text == "errexit" and any(text_of(a) == "-o" for a in args)


def _command_findings(node: Node, name: str, args: list[Node]) -> list[Finding]:
    line = line_of(node)
    words = [text_of(a) for a in args]
    if name == "sudo" and args:
        return _command_findings(node, words[0], args[1:]) if not words[0].startswith("-") else []
    if name == "eval" and any(_expands_variable(a) for a in args):
        return [hit("shell-injection", line, "eval of a string built from variables runs whatever they hold")]
    if name == "rm" and any(
        w.startswith("-") and not w.startswith("--") and ("r" in w or "R" in w) or w == "--recursive"
        for w in words
    ):
        return _recursive_delete(args, words, line)
    if name == "curl" and any(
        w == "--insecure" or (w.startswith("-") and not w.startswith("--") and "k" in w) for w in words
    ):
        return [hit("tls-unverified", line, "curl -k accepts any certificate")]
    if name == "wget" and "--no-check-certificate" in words:
        return [hit("tls-unverified", line, "wget --no-check-certificate accepts any certificate")]
    if name == "git" and any(w.lower().endswith("sslverify") for w in words) and "false" in words:
        return [hit("tls-unverified", line, "git told not to verify TLS certificates")]
    if name == "chmod":
        return _world_writable(words, line)
    if name == "sshpass" and "-p" in words:
        return [hit("hardcoded-secret", line, "sshpass -p puts the password on the command line")]
    if name in _DOWNLOADERS and "-u" in words:
        at = words.index("-u")
        credential = args[at + 1] if at + 1 < len(args) else None
        if credential is not None and _literal(credential) and ":" in text_of(credential).strip("'\""):
            secret = text_of(credential).strip("'\"").split(":", 1)[1]
            if len(secret) >= 4:
                return [hit("hardcoded-secret", line, "user:password on the command line")]
    return []


def _expands_variable(node: Node) -> bool:
    return any(n.type in _EXPANSIONS for n in walk(node))


def _literal(node: Node) -> bool:
    return not any(n.type in _EXPANSIONS or n.type == "command_substitution" for n in walk(node))


def _recursive_delete(args: list[Node], words: list[str], line: int) -> list[Finding]:
    for arg, word in zip(args, words, strict=True):
        if word.startswith("-"):
            continue
        if word.strip("'\"") in ("/", "/*"):
            return [hit("destructive-delete", line, "rm -r of the root directory")]
        head = _leading_expansion(arg)
        if head is not None and not _guarded(head):
            name = next((text_of(c) for c in head.named_children if c.type == "variable_name"), "")
            return [
                hit("destructive-delete", line, f"rm -r of ${name} without a guard: empty, it deletes from /")
            ]
    return []


def _leading_expansion(node: Node) -> Node | None:
    """The expansion a path starts with (``$DIR/x``, ``"${DIR}"/x``), else None."""
    for _ in range(4):
        if node.type in _EXPANSIONS:
            return node
        children = [c for c in node.children if c.type != '"']
        if node.type not in ("concatenation", "string") or not children:
            return None
        node = children[0]
    return None


def _guarded(expansion: Node) -> bool:
    operator = expansion.child_by_field_name("operator")
    return operator is not None and "?" in text_of(operator)


def _world_writable(words: list[str], line: int) -> list[Finding]:
    for w in words:
        if w.startswith("-"):
            continue
        if w.isdigit() and len(w) >= 3 and w[-1] in "2367":
            return [hit("world-writable", line, f"chmod {w} makes files writable by everyone")]
        if any(part.startswith(("o+", "a+")) and "w" in part for part in w.split(",")):
            return [hit("world-writable", line, f"chmod {w} makes files writable by everyone")]
    return []


def _pipeline(node: Node) -> list[Finding]:
    commands = [c for c in node.named_children if c.type == "command"]
    names = [_command(c)[0] for c in commands]
    runners = []
    for c, name in zip(commands, names, strict=True):
        words = [text_of(a) for a in _command(c)[1]]
        runners.append(name in _SHELLS or (name == "sudo" and any(w in _SHELLS for w in words)))
    downloaded = False
    for name, runs in zip(names, runners, strict=True):
        if runs and downloaded:
            return [hit("remote-script", line_of(node), "pipes a download straight into a shell")]
        downloaded = downloaded or name in _DOWNLOADERS
    return []


def _assignment(node: Node) -> list[Finding]:
    name = text_of(node.child_by_field_name("name"))
    value = node.child_by_field_name("value")
    if value is None or not _literal(value):
        return []
    if name == "GIT_SSL_NO_VERIFY":
        return [hit("tls-unverified", line_of(node), "GIT_SSL_NO_VERIFY turns off TLS verification")]
    literal = text_of(value).strip("'\"")
    if is_secret_name(name) and looks_secret(literal, name):
        return [hit("hardcoded-secret", line_of(node), f"hard-coded secret in {name}")]
    return []


def _hidden_failure(node: Node) -> list[Finding]:
    parts = node.children
    for i, part in enumerate(parts):
        if part.type != "||" or i + 1 >= len(parts):
            continue
        fallback = parts[i + 1]
        if (
            fallback.type == "command"
            and _command(fallback)[0] in ("true", ":")
            and "/dev/null" in text_of(parts[i - 1])
        ):
            return [hit("swallowed-error", line_of(node), "hides the failure and its error output")]
    return []
