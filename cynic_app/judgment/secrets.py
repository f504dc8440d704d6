"""What a hard-coded secret looks like, in any language: a secret-sounding name holding a
literal that is not a placeholder, a credential inside a URL, or a well-known key format."""

from __future__ import annotations

from .patterns import linear, tokens

SECRET_NAME_RE = linear(
    "secret-name",
    r"(?i)(pass(word|wd|phrase)?|pwd|secret|token|api_?key|apikey|access_?key|private_?key|auth_?key"
    r"|credential|signing_?key|client_?secret)",
)
_SECRET_PARTS = ("pass", "pwd", "secret", "token", "key", "credential")
#: Names that talk *about* a secret (its field, header, env variable, length...) hold no secret.
_META_NAME_RE = linear(
    "secret-meta-name",
    r"(?i)(_|\b)(field|header|name|env|var|prompt|label|url|uri|path|file|type|len|length|min|max|policy"
    r"|pattern|re|regex|message|msg|template|hint|endpoint|id|key_id|prefix|param|column|attr|scheme"
    r"|format|class|cls|kind|mode|reset|expiry|expires|ttl|count)$",
)
_PLACEHOLDER_RE = linear(
    "secret-placeholder",
    r"(?i)^(|x+|\*+|\.+|-+|<[^>]*>|\$\{?\w+\}?|%\(\w+\)s|%s|\{\w*\}|none|null|nil|undefined|changeit|"
    r"your[-_ ].*|replace[-_ ]?me.*|todo|tbd|dummy|example|test|secret|password|token|string|str|text"
    r"|value|sample|placeholder|redacted|hidden|masked|binary|bytes|int|integer|number|bool|boolean|any"
    r"|object)\??$",  # a schema's type name, "string?" when it may be missing
)
_ENV_NAME_RE = linear("env-name", r"^[A-Z][A-Z0-9_]+$")
_PASSWORDISH_RE = linear("passwordish-name", r"(?i)pass(?:word|wd|phrase)?(?:[^a-z]|$)|pwd|secret")
#: A word, identifier or dotted name: "passed", "csrf_token", "utf-8" hold no secret.
_WORDISH_RE = linear("wordish-value", r"[A-Za-z]+(?:[._-][A-Za-z]+)*")
#: A regular expression or a grammar: brackets, alternations, escapes.
_PATTERNISH_RE = linear("patternish-value", r"[\[\]()|\\^]|\.\*|\+\?")
#: Unmistakably a regular expression, whatever the name: a flag group, a class escape, ".*".
_REGEX_RE = linear("regex-value", r"\(\?[:iLmsux=!<]|\\[bBdDsSwW]|\.\*|\[\^|\|\w+\|")
_CHARACTER_CLASSES = tuple(
    tokens(f"value-{n}", c) for n, c in (("lower", "[a-z]"), ("upper", "[A-Z]"), ("digit", "[0-9]"))
)
KEY_RE = linear(
    "embedded-key",
    # an AWS key id stands alone: not inside a longer run of base64
    r"(?m)(?:^|[^A-Za-z0-9/+=\n])AKIA[0-9A-Z]{16}(?:[^A-Za-z0-9/+=]|$)"
    r"|-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----"
    r"|gh[pousr]_[A-Za-z0-9]{36}|sk_live_[A-Za-z0-9]{16,}|xox[baprs]-[A-Za-z0-9-]{10,}"
    r"|AIza[0-9A-Za-z_-]{35}|whsec_[A-Za-z0-9]{16,}",
)
#: scheme://user:password@host, the password not a placeholder or variable.
URL_CREDENTIAL_RE = linear(
    "url-credential", r"(?i)\b[a-z][a-z0-9+.-]*://([^/\s:@'\"`]+):([^/\s@'\"`]+)@[\w.-]+"
)


def is_secret_name(name: str) -> bool:
    """True for a name that holds a secret: db_password, API_KEY, signing_secret, db_pass; not
    password_field, passed or pass_arg (a bare "pass" counts only at the end of the name)."""
    last = name.rsplit(".", 1)[-1]
    lowered = last.lower()
    if not any(w in lowered for w in _SECRET_PARTS) or _META_NAME_RE.search(last):
        return False  # (the substring test first: most names hold no secret, and it is cheap)
    return any(_a_word_of_its_own(last, m) for m in SECRET_NAME_RE.finditer(last))


def _a_word_of_its_own(name: str, m) -> bool:
    """A bare "pass" counts only as a word of its own at the end of the name (db_pass, userPass;
    not passed, pass_arg, bypass, compass)."""
    if m.group(0).lower() != "pass":
        return True
    start = m.start()
    begins = start == 0 or name[start - 1] in "_-." or (name[start - 1].islower() and name[start].isupper())
    return begins and m.end() == len(name)


def looks_secret(value: str, name: str = "") -> bool:
    """True for a literal that could be a real credential (not empty, a placeholder, a sentence,
    a URL or path, the name of an environment variable, or a pattern). Under a name that only may
    hold a secret (a token, a key: lexers and dictionaries have those too) the value must also
    look generated: long, and not a plain word or identifier."""
    value = value.strip()
    if len(value) < 4 or " " in value or _PLACEHOLDER_RE.match(value) or _ENV_NAME_RE.match(value):
        return False
    if not any(c.isalnum() for c in value):  # ":****", "----": a mask, no credential
        return False
    if value.startswith(("/", "http://", "https://", "$", "{", "%")) or _REGEX_RE.search(value):
        return False
    if name and not _PASSWORDISH_RE.search(name):
        classes = sum(bool(c.search(value)) for c in _CHARACTER_CLASSES)
        return (
            len(value) >= 8
            and classes >= 2
            and not _WORDISH_RE.fullmatch(value)
            and not _PATTERNISH_RE.search(value)
        )
    return True


def credential_in_url(password: str) -> bool:
    """True when the password part of a URL is a literal rather than a placeholder."""
    return not _PLACEHOLDER_RE.match(password) and not password.startswith(("$", "{", "%", "<"))
