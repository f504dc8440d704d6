"""Checks of JavaScript and TypeScript, read from the tree-sitter tree: the taint engine's flows
(taint/jsflow.py), the places the parser had to recover from, and the checks that need no flow —
secrets written into the code or passed to session and token libraries, TLS checks turned off,
broken hashes of passwords and broken ciphers, tokens whose algorithm may be ``none``, secrets
compared in variable time, cookies without Secure, patterns that backtrack catastrophically
(regexscan.py), empty ``catch`` blocks, ``debugger``, ``console.log``, stubs that only throw
"not implemented", code built and run at run time.

Names are read as the module imports them (jsnames.py). No pattern is applied to the content:
the one regular expression here reads identifiers (a name like ``apiSecret``), and the cost is the
one walk.
"""

from __future__ import annotations

from tree_sitter import Node

from .regexscan import nested_quantifier
from .rules import hit
from .secrets import is_secret_name, looks_secret
from .taint.javascript import JAVASCRIPT
from .taint.jsexprs import expression_children, unwrap
from .taint.jsflow import DECLARATION_NODES, js_taint_hits
from .taint.jsnames import IMPORT_NODES, chain, import_aliases, string_value
from .taint.names import qualify
from .tsparse import line_of, syntax_errors, text_of, walk
from .vote import Finding

_WEAK_HASHES = frozenset({"md5", "sha1", "md4", "ripemd160"})
_FAST_HASHES = _WEAK_HASHES | {"sha256", "sha512", "sha224", "sha384"}
_CONSOLE = frozenset({"log", "debug", "trace", "dir"})
_STUB_WORDS = ("not implemented", "unimplemented", "todo")
_SESSIONS = frozenset({"express-session", "cookie-session", "cookie-parser", "koa-session"})
_RESPONSES = frozenset({"res", "response", "reply", "ctx"})
_WEAK_CIPHERS = ("des", "rc4", "rc2", "blowfish", "bf-", "-ecb", "idea")
#: Findings whose hole depends on how the code is used (a pattern that backtracks only hurts on
#: long input, a cookie without Secure only over plain HTTP, a compared digest only when it is
#: secret and its timing can be measured): a security finding that counts as a defect (vote.py's
#: CONFIDENT).
_UNSURE = 0.45
#: Names of values compared in constant time: MACs, signatures, digests, authenticating tokens.
_MACISH = ("signature", "digest", "hmac", "secret", "apikey", "passwordhash", "pwhash")
_TOKENISH = ("access", "auth", "api", "reset", "session", "csrf", "refresh", "bearer", "otp", "verification")


def _macish(name: str) -> bool:
    """A name for a MAC, signature, digest or authenticating token (string tests: no pattern)."""
    lowered = name.lower()
    joined = lowered.replace("_", "")
    return (
        lowered == "mac" or any(w in joined for w in _MACISH) or any(f"{w}token" in joined for w in _TOKENISH)
    )


def js_findings(root: Node) -> list[Finding]:
    """Every finding of a JavaScript or TypeScript tree, by line."""
    imports, declared, checked = [], [], []
    for node in walk(root):
        kind = node.type
        if kind in IMPORT_NODES:
            imports.append(node)
        if kind in DECLARATION_NODES:
            declared.append(node)
        if kind in _CHECKS:
            checked.append(node)
    aliases = import_aliases(root, imports)
    found = [
        hit(h.rule, h.line, h.message, confidence=h.confidence, column=h.column, source_line=h.source_line)
        for h in js_taint_hits(root, JAVASCRIPT, aliases, declared)
    ]
    found += [hit("syntax-error", line, f"does not parse: {what}") for line, what in syntax_errors(root)]
    for node in checked:
        found += _CHECKS[node.type](node, aliases)
    text = root.text
    if text.startswith(b"#!") or b"process.argv" in text:  # a command-line program: the console is its output
        found = [f for f in found if f.rule != "console-log"]
    return found


def _call(node: Node, aliases: dict[str, str]) -> list[Finding]:
    func = unwrap(node.child_by_field_name("function") or node.child_by_field_name("constructor") or node)
    args = expression_children(node.child_by_field_name("arguments") or node)
    line = line_of(node)
    if func.type == "member_expression" and text_of(func.child_by_field_name("property")) == "update":
        return _password_hash(func, args, line, aliases)
    parts = chain(func)
    if not parts:
        return []
    qualified = qualify(parts, aliases)
    if parts[0] == "console" and len(parts) == 2 and parts[1] in _CONSOLE:
        return [hit("console-log", line, f"console.{parts[1]}() left in")]
    if parts[-1] == "createHash" and args and (string_value(args[0]) or "").lower() in _WEAK_HASHES:
        # broken for security; whether this use needs security (an ETag, a UUID v3, the WebSocket
        # handshake's RFC-given SHA-1) is not known: a look, not a veto, as in Python
        message = f"{string_value(args[0])} is broken for security uses"
        return [hit("weak-hash", line, message, confidence=0.3)]
    if qualified in ("jsonwebtoken.verify", "jsonwebtoken.sign") and len(args) >= 2:
        return _jwt_none(args[-1], line) + _literal_secret(args[1], line, f"{qualified}()")
    if qualified in _SESSIONS and args:
        return _session(unwrap(args[0]), line, qualified)
    if parts[-1] in ("createCipher", "createDecipher") and qualified.startswith("crypto"):
        return [hit("weak-cipher", line, f"{parts[-1]}() derives its key with MD5 and uses no IV")]
    if parts[-1] in ("createCipheriv", "createDecipheriv") and args:
        algorithm = (string_value(unwrap(args[0])) or "").lower()
        if any(w in algorithm for w in _WEAK_CIPHERS):
            return [hit("weak-cipher", line, f"{algorithm} is a broken cipher or mode")]
    if qualified == "RegExp" and args:
        return _regex(string_value(unwrap(args[0])), line)
    if parts[-1] == "cookie" and parts[0] in _RESPONSES and len(args) >= 2:
        return _cookie(args, line)
    return []


def _literal_secret(node: Node, line: int, where: str) -> list[Finding]:
    literal = string_value(unwrap(node))
    if literal is not None and len(literal.strip()) >= 4:
        return [hit("hardcoded-secret", line, f"hard-coded secret passed to {where}")]
    return []


def _session(options: Node, line: int, qualified: str) -> list[Finding]:
    if options.type != "object":
        return _literal_secret(options, line, f"{qualified}()")
    found = []
    for pair in expression_children(options):
        if pair.type == "pair" and _key(pair) in ("secret", "keys"):
            value = unwrap(pair.child_by_field_name("value") or pair)
            items = expression_children(value) if value.type == "array" else [value]
            found += next(
                (_literal_secret(v, line_of(pair), f"{qualified}()") for v in items if string_value(v)), []
            )
    return found


def _cookie(args: list[Node], line: int) -> list[Finding]:
    options = unwrap(args[2]) if len(args) > 2 else None
    if options is not None and options.type != "object":
        return []  # options built elsewhere
    secure = (
        [p for p in expression_children(options) if p.type == "pair" and _key(p) == "secure"]
        if options
        else []
    )
    if secure and unwrap(secure[0].child_by_field_name("value") or secure[0]).type != "false":
        return []
    return [hit("insecure-cookie", line, "cookie set without secure: true", confidence=_UNSURE)]


def _regex(pattern: str | None, line: int) -> list[Finding]:
    if pattern and nested_quantifier(pattern):
        message = "a repeated group that repeats inside: some inputs take exponential time to reject"
        return [hit("unsafe-regex", line, message, confidence=_UNSURE)]
    return []


def _regex_literal(node: Node, aliases: dict[str, str]) -> list[Finding]:
    return _regex(text_of(node.child_by_field_name("pattern")), line_of(node))


def _compare(node: Node, aliases: dict[str, str]) -> list[Finding]:
    """A secret, signature or digest compared with == / ===: the time it takes tells how much of it
    matched."""
    operator = text_of(node.child_by_field_name("operator"))
    if operator not in ("===", "==", "!==", "!="):
        return []
    sides = [
        unwrap(node.child_by_field_name("left") or node),
        unwrap(node.child_by_field_name("right") or node),
    ]
    if any(
        s.type not in ("identifier", "member_expression", "subscript_expression", "call_expression")
        for s in sides
    ):
        return []  # a literal, null, undefined, typeof…: no secret is compared
    names = [(chain(s) or [""])[-1] for s in sides]
    # a variable or field (lower case first), not a constant or an enum member (IndexSignature)
    if any(_macish(n) for n in names if n[:1].islower()):
        return [
            hit(
                "timing-unsafe-compare",
                line_of(node),
                f"{text_of(node)[:60]} compares a secret in variable time",
                confidence=_UNSURE,
            )
        ]
    return []


def _password_hash(func: Node, args: list[Node], line: int, aliases: dict[str, str]) -> list[Finding]:
    receiver = unwrap(func.child_by_field_name("object"))
    if receiver.type != "call_expression" or not args:
        return []
    inner = chain(unwrap(receiver.child_by_field_name("function")))
    inner_args = expression_children(receiver.child_by_field_name("arguments") or receiver)
    algorithm = (string_value(inner_args[0]) or "").lower() if inner_args else ""
    if not inner or inner[-1] != "createHash" or algorithm not in _FAST_HASHES:
        return []
    data = text_of(args[0]).lower()
    if "pass" in data or "pwd" in data:
        return [
            hit(
                "weak-password-hash",
                line,
                f"a fast unsalted {algorithm} of a password: use bcrypt, scrypt or argon2",
            )
        ]
    return []


def _jwt_none(options: Node, line: int) -> list[Finding]:
    options = unwrap(options)
    if options.type != "object":
        return []
    for pair in expression_children(options):
        if pair.type == "pair" and _key(pair) in ("algorithms", "algorithm"):
            if "none" in text_of(pair.child_by_field_name("value")).lower():
                return [
                    hit(
                        "jwt-unverified",
                        line,
                        "accepts tokens signed with algorithm 'none': anyone can forge one",
                    )
                ]
    return []


def _in_cookie_options(pair: Node) -> bool:
    holder = pair.parent.parent if pair.parent is not None else None
    return holder is not None and holder.type == "pair" and _key(holder) == "cookie"


def _key(pair: Node) -> str:
    key = pair.child_by_field_name("key")
    if key is None:
        return ""
    return string_value(key) if key.type == "string" else text_of(key)


def _pair(node: Node, aliases: dict[str, str]) -> list[Finding]:
    name = _key(node)
    value = unwrap(node.child_by_field_name("value") or node)
    line = line_of(node)
    if name in ("rejectUnauthorized", "strictSSL") and value.type == "false":
        return [hit("tls-unverified", line, f"{name}: false accepts any certificate")]
    if name in ("secure", "httpOnly") and value.type == "false" and _in_cookie_options(node):
        return [hit("insecure-cookie", line, f"cookie options {name}: false", confidence=_UNSURE)]
    return _secret(name, value, line)


def _secret(name: str, value: Node, line: int) -> list[Finding]:
    literal = string_value(value)
    if literal is not None and is_secret_name(name) and looks_secret(literal, name):
        return [hit("hardcoded-secret", line, f"hard-coded secret in {name}")]
    return []


def _declarator(node: Node, aliases: dict[str, str]) -> list[Finding]:
    name = node.child_by_field_name("name")
    value = node.child_by_field_name("value")
    if value is None and _const_without_value(node):
        what = f"does not parse: const {text_of(name) if name is not None else ''} has no value"
        return [hit("syntax-error", line_of(node), what)]
    if name is None or value is None or name.type != "identifier":
        return []
    return _secret(text_of(name), unwrap(value), line_of(node))


def _const_without_value(declarator: Node) -> bool:
    """`const x;`: a syntax error the grammar reads as a declaration (a TypeScript `const x:
    T;` with its type is one of what exists elsewhere: in a `declare` block, or anywhere in a
    declaration file, `.d.ts`, whose name the tree does not know)."""
    if declarator.child_by_field_name("type") is not None:
        return False
    declaration = declarator.parent
    if declaration is None or declaration.type != "lexical_declaration":
        return False
    keyword = declaration.child(0)
    if keyword is None or keyword.type != "const":
        return False
    outer = declaration.parent
    while outer is not None:
        if outer.type == "ambient_declaration":  # (declare global { const x: T })
            return False
        outer = outer.parent
    return True


def _assignment(node: Node, aliases: dict[str, str]) -> list[Finding]:
    left = node.child_by_field_name("left")
    right = unwrap(node.child_by_field_name("right") or node)
    parts = chain(left) if left is not None else None
    if not parts:
        return []
    line = line_of(node)
    if parts[-1] == "NODE_TLS_REJECT_UNAUTHORIZED" and (string_value(right) == "0" or text_of(right) == "0"):
        return [hit("tls-unverified", line, "turns off TLS verification for the whole process")]
    return _secret(parts[-1], right, line)


def _parameter(node: Node, aliases: dict[str, str]) -> list[Finding]:
    left = node.child_by_field_name("left") or node.child_by_field_name("pattern")
    right = node.child_by_field_name("right") or node.child_by_field_name("value")
    if left is None or right is None or left.type != "identifier":
        return []
    return _secret(text_of(left), unwrap(right), line_of(node))


def _catch(node: Node, aliases: dict[str, str]) -> list[Finding]:
    body = node.child_by_field_name("body")
    if body is None or body.named_children:  # a statement, or a comment saying why
        return []
    if node.child_by_field_name("parameter") is None:
        return []  # `catch {}`: the error deliberately unnamed, an attempt whose failure is expected
    attempt = node.parent.child_by_field_name("body") if node.parent is not None else None
    statements = expression_children(attempt) if attempt is not None else []
    if len(statements) == 1:
        return []  # one attempt with a fallback (a parse, a clean-up that may fail without harm)
    return [hit("swallowed-error", line_of(node), "empty catch block swallows the error")]


def _promise_catch(node: Node, aliases: dict[str, str]) -> list[Finding]:
    func = node.child_by_field_name("function")
    if (
        func is None
        or func.type != "member_expression"
        or text_of(func.child_by_field_name("property")) != "catch"
    ):
        return _call(node, aliases)
    args = expression_children(node.child_by_field_name("arguments") or node)
    if len(args) != 1 or args[0].type != "arrow_function":
        return _call(node, aliases)
    body = args[0].child_by_field_name("body")
    empty = body is not None and (
        (body.type == "statement_block" and not body.named_children) or body.type in ("null", "undefined")
    )
    if empty:
        return [hit("swallowed-error", line_of(node), ".catch(() => {}) swallows the rejection")]
    return _call(node, aliases)


def _debugger(node: Node, aliases: dict[str, str]) -> list[Finding]:
    return [hit("breakpoint", line_of(node), "debugger statement left in")]


def _throw(node: Node, aliases: dict[str, str]) -> list[Finding]:
    inner = expression_children(node)
    thrown = unwrap(inner[0]) if inner else None
    if thrown is None or thrown.type not in ("new_expression", "call_expression"):
        return []
    args = expression_children(thrown.child_by_field_name("arguments") or thrown)
    message = (string_value(unwrap(args[0])) or "").strip().lower() if args else ""
    if message.startswith(_STUB_WORDS):
        return [hit("stub", line_of(node), "throws 'not implemented'")]
    return []


_CHECKS = {
    "call_expression": _promise_catch,
    "new_expression": _call,
    "pair": _pair,
    "variable_declarator": _declarator,
    "assignment_expression": _assignment,
    "assignment_pattern": _parameter,
    "required_parameter": _parameter,
    "optional_parameter": _parameter,
    "catch_clause": _catch,
    "debugger_statement": _debugger,
    "throw_statement": _throw,
    "regex": _regex_literal,
    "binary_expression": _compare,
}
