"""JavaScript and TypeScript rules: there is no parser for them here, so each hole is a
pattern confirmed on its line (eval of a value, innerHTML of a built string, exec of a
concatenation, SQL in a template literal, secrets in object literals...)."""

from __future__ import annotations

import re

from .source import Source
from .textrules import SECRET_WORDS, TextRule, secret_literal
from .textrules import legacy as _legacy


def _dynamic_rhs(src: Source, m: re.Match, line: str) -> str | None:
    rest = src.text[m.end() : m.end() + 200].split("\n", 1)[0]
    if "sanitize" in rest or "DOMPurify" in rest or "escape" in rest.lower():
        return None
    literal = re.fullmatch(r"""\s*(?:"[^"$]*"|'[^'$]*'|`[^`$]*`)\s*;?\s*""", rest)
    return None if literal else "{msg}"


def _built_command(src: Source, m: re.Match, line: str) -> str | None:
    rest = src.text[m.end() : m.end() + 300].split("\n", 1)[0]
    built = re.match(r"""\s*(?:`[^`]*\$\{|["'][^"']*["']\s*\+|[\w.$]+\s*\+)""", rest)
    return "{msg}" if built else None


_FUNCTION_NAME_RE = re.compile(
    r"(?:function\s+([\w$]+)|([\w$]+)\s*[:=]\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*=>)|^\s*(?:async\s+)?([\w$]+)\s*\([^)]*\)\s*\{)"
)
_KEYWORDS = frozenset({"for", "if", "while", "switch", "catch", "with", "function", "return"})
_TOKENISH_RE = re.compile(r"token|password|secret|otp|salt|nonce|session|key|csrf|reset", re.I)


def _random_for_secret(src: Source, m: re.Match, line: str) -> str | None:
    """Math.random() inside a function (or assignment) named for a token, looking back a few lines."""
    here = src.line_of(m.start())
    for n in range(here, max(0, here - 15), -1):
        text = src.line_text(n)
        found = _FUNCTION_NAME_RE.search(text)
        name = next((g for g in found.groups() if g), "") if found else ""
        if name and name not in _KEYWORDS:
            return (
                f"Math.random() is predictable: {name} needs crypto.randomBytes"
                if _TOKENISH_RE.search(name)
                else None
            )
    return None


JS = _legacy(
    TextRule(
        "code-injection",
        r"\beval\s*\(\s*(?![\"'\d)])",
        "eval() runs a value built at run time as code",
        needles=("eval",),
    ),
    TextRule(
        "code-injection",
        r"\bnew\s+Function\s*\(",
        "new Function() compiles a string into code",
        needles=("function",),
    ),
    TextRule(
        "code-injection",
        r"\bvm\.runIn\w*Context\s*\(",
        "vm.runIn…Context() runs a string as code",
        needles=("vm.run",),
    ),
    TextRule(
        "code-injection",
        r"\bset(?:Timeout|Interval)\s*\(\s*[\"'`]",
        "setTimeout() of a string is eval",
        needles=("settimeout", "setinterval"),
    ),
    TextRule(
        "xss",
        r"\.(?:inner|outer)HTML\s*\+?=(?!=)",
        "writes a built string into innerHTML (XSS)",
        _dynamic_rhs,
        needles=("html",),
    ),
    TextRule(
        "xss",
        r"\binsertAdjacentHTML\s*\(",
        "insertAdjacentHTML() parses its text as HTML (XSS)",
        _dynamic_rhs,
        needles=("insertadjacenthtml",),
    ),
    TextRule(
        "xss",
        r"\bdocument\.write(?:ln)?\s*\(",
        "document.write() of a built string (XSS)",
        _dynamic_rhs,
        needles=("document.write",),
    ),
    TextRule(
        "xss",
        r"dangerouslySetInnerHTML\s*=\s*\{\{\s*__html\s*:\s*(?!DOMPurify|sanitize)",
        "renders raw HTML (XSS)",
        needles=("dangerouslysetinnerhtml",),
    ),
    TextRule(
        "shell-injection",
        r"\bexec(?:Sync)?\s*\(",
        "exec() runs a built command through a shell",
        _built_command,
        needles=("exec",),
    ),
    TextRule(
        "sql-injection",
        r"`[^`]*?\b(?:SELECT|INSERT|UPDATE|DELETE)\b[^`]*?\$\{",
        "SQL built from a template literal: use query parameters",
        needles=("select", "insert", "update", "delete"),
    ),
    TextRule(
        "sql-injection",
        r"[\"'](?:SELECT|INSERT|UPDATE|DELETE)\b[^\"'\n]*[\"']\s*\+",
        "SQL built by concatenation: use query parameters",
        needles=("select", "insert", "update", "delete"),
    ),
    TextRule(
        "hardcoded-secret",
        rf"\b({SECRET_WORDS})[\"']?\s*[:=]\s*[\"'`]([^\"'`\s]{{4,}})[\"'`]",
        "hard-coded secret in {0}",
        secret_literal,
        needles=("pass", "secret", "token", "key"),
    ),
    TextRule(
        "tls-unverified",
        r"rejectUnauthorized\s*:\s*false",
        "rejectUnauthorized: false accepts any certificate",
        needles=("rejectunauthorized",),
    ),
    TextRule(
        "tls-unverified",
        r"NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*[\"']?0",
        "turns off TLS verification for the process",
        needles=("node_tls_reject_unauthorized",),
    ),
    TextRule(
        "tls-unverified",
        r"strictSSL\s*:\s*false",
        "strictSSL: false accepts any certificate",
        needles=("strictssl",),
    ),
    TextRule(
        "weak-password-hash",
        r"createHash\(\s*[\"'](?:md5|sha1|sha256|sha512)[\"']\s*\)\s*\.update\(\s*[\w.]*(?:pass|pwd)",
        "a fast unsalted hash of a password: use bcrypt, scrypt or argon2",
        needles=("createhash",),
    ),
    TextRule(
        "weak-hash",
        r"createHash\(\s*[\"'](?:md5|sha1)[\"']",
        "MD5/SHA-1 are broken for security uses",
        needles=("createhash",),
    ),
    TextRule(
        "insecure-random",
        r"\bMath\.random\s*\(\s*\)",
        "Math.random() is predictable",
        _random_for_secret,
        needles=("math.random",),
    ),
    TextRule(
        "swallowed-error",
        r"\bcatch\s*(?:\(\s*[\w$]*\s*\))?\s*\{\s*\}",
        "empty catch block swallows the error",
        needles=("catch",),
    ),
    TextRule(
        "swallowed-error",
        r"\.catch\s*\(\s*(?:\(\s*[\w$]*\s*\)|[\w$]+)\s*=>\s*(?:\{\s*\}|null|undefined)\s*\)",
        ".catch(() => {}) swallows the rejection",
        needles=("catch",),
    ),
    TextRule("breakpoint", r"^[ \t]*debugger\b", "debugger statement left in", needles=("debugger",)),
    TextRule(
        "console-log", r"\bconsole\.(?:log|debug|trace)\s*\(", "console.log left in", needles=("console.",)
    ),
    TextRule(
        "stub",
        r"throw\s+new\s+Error\(\s*[\"'`](?i:not\s+implemented|unimplemented|todo)",
        "throws 'not implemented'",
        needles=("error(",),
    ),
    TextRule(
        "unsafe-deserialisation",
        r"\bunserialize\s*\(",
        "unserialize() can run code hidden in its input",
        needles=("unserialize",),
    ),
)
