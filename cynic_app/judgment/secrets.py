"""What a hard-coded secret looks like, in any language: a secret-sounding name holding a
literal that is not a placeholder, a credential inside a URL, or a well-known key format."""

from __future__ import annotations

import re

SECRET_NAME_RE = re.compile(
    r"(pass(word|wd|phrase)?|pwd|secret|token|api_?key|apikey|access_?key|private_?key|auth_?key"
    r"|credential|signing_?key|client_?secret)",
    re.I,
)
#: Names that talk *about* a secret (its field, header, env variable, length...) hold no secret.
_META_NAME_RE = re.compile(
    r"(_|\b)(field|header|name|env|var|prompt|label|url|uri|path|file|type|len|length|min|max|policy"
    r"|pattern|re|regex|message|msg|template|hint|endpoint|id|key_id|prefix|param|column|attr|scheme"
    r"|format|class|cls|kind|mode|reset|expiry|expires|ttl|count)$",
    re.I,
)
_PLACEHOLDER_RE = re.compile(
    r"^(|x+|\*+|\.+|-+|<[^>]*>|\$\{?\w+\}?|%\(\w+\)s|%s|\{\w*\}|none|null|nil|undefined|changeit|"
    r"your[-_ ].*|replace[-_ ]?me.*|todo|tbd|dummy|example|test|secret|password|token)$",
    re.I,
)
_ENV_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]+$")
KEY_RE = re.compile(
    r"AKIA[0-9A-Z]{16}|-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----"
    r"|gh[pousr]_[A-Za-z0-9]{36}|sk_live_[A-Za-z0-9]{16,}|xox[baprs]-[A-Za-z0-9-]{10,}"
    r"|AIza[0-9A-Za-z_-]{35}|whsec_[A-Za-z0-9]{16,}"
)
#: scheme://user:password@host, the password not a placeholder or variable.
URL_CREDENTIAL_RE = re.compile(r"\b[a-z][a-z0-9+.-]*://([^/\s:@'\"`]+):([^/\s@'\"`]+)@[\w.-]+", re.I)


def is_secret_name(name: str) -> bool:
    """True for a name that holds a secret: db_password, API_KEY, signing_secret; not password_field."""
    last = name.rsplit(".", 1)[-1]
    return bool(SECRET_NAME_RE.search(last)) and not _META_NAME_RE.search(last)


def looks_secret(value: str) -> bool:
    """True for a literal that could be a real credential (not empty, a placeholder, a sentence,
    a URL or path, or the name of an environment variable)."""
    value = value.strip()
    if len(value) < 4 or " " in value or _PLACEHOLDER_RE.match(value) or _ENV_NAME_RE.match(value):
        return False
    return not value.startswith(("/", "http://", "https://", "$", "{", "%"))


def credential_in_url(password: str) -> bool:
    """True when the password part of a URL is a literal rather than a placeholder."""
    return not _PLACEHOLDER_RE.match(password) and not password.startswith(("$", "{", "%", "<"))
