"""What a text rule is, and the rules for every language: keys, credentials in URLs, markers,
and the generic patterns that stand in when there is no parser (unknown code, prose, Python that
does not parse). JavaScript, TypeScript and shell are read from their trees (treechecks.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .patterns import linear
from .secrets import KEY_RE, URL_CREDENTIAL_RE, credential_in_url, is_secret_name, looks_secret
from .source import Source

Confirm = Callable[[Source, object, str], str | None]  # (source, match, line) -> message


@dataclass(frozen=True)
class TextRule:
    rule: str
    pattern: str
    message: str  # may use {0}, {1}: the match's groups
    confirm: Confirm | None = None  # returns a message, or None to drop the match
    needles: tuple[str, ...] = ()  # lower-case substrings one of which must occur; () runs always

    @property
    def regex(self):
        return compiled(self.pattern, name=f"text-{self.rule}")


_COMPILED: dict[str, object] = {}


def compiled(pattern: str, *, name: str = "text"):
    """The pattern compiled once, multi-line (^ and $ are per line), by RE2 (patterns.py)."""
    if pattern not in _COMPILED:
        _COMPILED[pattern] = linear(f"{name}-{len(_COMPILED)}", "(?m)" + pattern)
    return _COMPILED[pattern]


def secret_literal(src: Source, m, line: str) -> str | None:
    name, value = m.group(1), m.group(2)
    return "{msg}" if is_secret_name(name) and looks_secret(value, name) else None


def _url_credential(src: Source, m, line: str) -> str | None:
    return "{msg}" if credential_in_url(m.group(2)) else None


SECRET_WORDS = (
    r"(?i:\w*(?:password|passwd|secret|token|api_?key|apikey|access_?key|private_?key|client_?secret)\w*)"
)
ANY = (
    TextRule(
        "embedded-key",
        KEY_RE.pattern,
        "a private or cloud key is written into the code",
        needles=(
            "akia",
            "private key",
            "ghp_",
            "gho_",
            "ghu_",
            "ghs_",
            "ghr_",
            "sk_live_",
            "xox",
            "aiza",
            "whsec_",
        ),
    ),
    TextRule(
        "secret-in-url",
        URL_CREDENTIAL_RE.pattern,
        "the URL embeds the password of {0}",
        _url_credential,
        needles=("://",),
    ),
    TextRule(
        "fixme",
        r"\b(?:FIXME|XXX|HACK)\b",
        "FIXME/XXX marker: known broken or unfinished",
        needles=("fixme", "xxx", "hack"),
    ),
    TextRule("todo", r"\bTODO\b", "TODO marker: unfinished work", needles=("todo",)),
)
GENERIC = (
    TextRule(
        "code-injection",
        r"(?:^|[^.\w\n])(?:eval|exec)\s*\(",
        "evaluates dynamic code (eval/exec)",
        needles=("eval", "exec"),
    ),
    TextRule(
        "shell-injection",
        r"shell\s*=\s*True|\bos\.system\s*\(",
        "runs a shell command",
        needles=("shell", "os.system"),
    ),
    TextRule(
        "tls-unverified",
        r"verify\s*=\s*False|CERT_NONE|rejectUnauthorized\s*:\s*false",
        "disables TLS verification",
        needles=("verify", "cert_none", "rejectunauthorized"),
    ),
    TextRule(
        "unsafe-deserialisation",
        r"\b(?:pickle|marshal)\.loads?\s*\(|\byaml\.load\s*\(",
        "deserialises unsafely",
        needles=("pickle", "marshal", "yaml.load"),
    ),
    TextRule(
        "xss",
        r"\.innerHTML\s*=|document\.write\s*\(",
        "writes raw HTML into the page (XSS)",
        needles=("innerhtml", "document.write"),
    ),
    TextRule(
        "destructive-delete",
        r"\brm\s+-[a-zA-Z]*r[a-zA-Z]*f\b|\brm\s+-[a-zA-Z]*f[a-zA-Z]*r\b",
        "recursive forced delete",
        needles=("rm ", "rm\t"),
    ),
    TextRule(
        "hardcoded-secret",
        rf"\b({SECRET_WORDS})[\"']?\s*[:=]\s*[\"']([^\"'\s]{{4,}})[\"']",
        "hard-coded secret in {0}",
        secret_literal,
        needles=("pass", "secret", "token", "key"),
    ),
)
