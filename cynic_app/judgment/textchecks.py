"""Checks read from the text itself: JavaScript/TypeScript and shell (which have no parser
here), and what Python's tree does not hold (comments, keys inside any literal).

A rule's pattern runs only when one of its needles occurs in the lower-cased text (a substring
test at C speed; most rules never find theirs), then in one pass over the text; a match is
confirmed on its own line (``confirm``), never by rescanning. Every pattern is linear: no nested
quantifiers, and no unbounded span that could cross lines except inside a JavaScript template
literal (bounded by its backticks).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .rules import hit
from .secrets import KEY_RE, URL_CREDENTIAL_RE, credential_in_url, is_secret_name, looks_secret
from .source import JAVASCRIPT, OTHER_CODE, PYTHON, SHELL, TEXT, TYPESCRIPT, Source
from .vote import Finding

Confirm = Callable[[Source, re.Match, str], str | None]


@dataclass(frozen=True)
class TextRule:
    rule: str
    pattern: str
    message: str  # may use {0}, {1}: the match's groups
    confirm: Confirm | None = None  # returns a message, or None to drop the match
    needles: tuple[str, ...] = ()  # lower-case substrings one of which must occur; () runs always

    @property
    def regex(self) -> re.Pattern:
        return _COMPILED[self.pattern]


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


def _secret_literal(src: Source, m: re.Match, line: str) -> str | None:
    name, value = m.group(1), m.group(2)
    return "{msg}" if is_secret_name(name) and looks_secret(value) else None


def _url_credential(src: Source, m: re.Match, line: str) -> str | None:
    return "{msg}" if credential_in_url(m.group(2)) else None


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


def _unguarded_var(src: Source, m: re.Match, line: str) -> str | None:
    return "{msg}"


def _quiet_failure(src: Source, m: re.Match, line: str) -> str | None:
    return "{msg}" if "/dev/null" in line else None


_SECRET_WORDS = (
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
JS = (
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
        rf"\b({_SECRET_WORDS})[\"']?\s*[:=]\s*[\"'`]([^\"'`\s]{{4,}})[\"'`]",
        "hard-coded secret in {0}",
        _secret_literal,
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
SH = (
    TextRule(
        "remote-script",
        r"\b(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|k|da)?sh\b",
        "pipes a download straight into a shell",
        needles=("curl", "wget"),
    ),
    TextRule(
        "shell-injection",
        r"^[ \t]*eval\s+[^\n]*\$",
        "eval of a string built from variables",
        needles=("eval",),
    ),
    TextRule(
        "destructive-delete",
        r"\brm\s+-[a-zA-Z]*[rR][a-zA-Z]*\s+(?:--\s+)?\"?\$\{?(\w+)\b(?!:?\?)",
        "rm -r of ${0} without a guard: empty, it deletes from /",
        _unguarded_var,
        needles=("rm ", "rm\t"),
    ),
    TextRule(
        "destructive-delete",
        r"\brm\s+-[a-zA-Z]*[rR][a-zA-Z]*\s+/(?:\s|$|\*)",
        "rm -r of the root directory",
        needles=("rm ", "rm\t"),
    ),
    TextRule(
        "tls-unverified",
        r"\bcurl\b[^\n|]*\s(?:-[a-zA-Z]*k[a-zA-Z]*|--insecure)\b",
        "curl -k accepts any certificate",
        needles=("curl",),
    ),
    TextRule(
        "tls-unverified",
        r"--no-check-certificate|sslVerify\s*=?\s*false|GIT_SSL_NO_VERIFY=",
        "TLS verification off",
        needles=("no-check-certificate", "sslverify", "git_ssl_no_verify"),
    ),
    TextRule(
        "hardcoded-secret",
        rf"^[ \t]*(?:export\s+)?({_SECRET_WORDS})=[\"']?([^\"'\s$`]{{4,}})",
        "hard-coded secret in {0}",
        _secret_literal,
        needles=("pass", "secret", "token", "key"),
    ),
    TextRule(
        "hardcoded-secret",
        r"\s-u\s+[\"']?([^\s:\"'$]+):([^\s\"'$]{4,})",
        "user:password on the command line",
        needles=("-u",),
    ),
    TextRule(
        "hardcoded-secret",
        r"\bsshpass\s+-p\s*[^\s$]+",
        "sshpass -p puts the password on the command line",
        needles=("sshpass",),
    ),
    TextRule(
        "world-writable",
        r"\bchmod\s+(?:-\w+\s+)*(?:0?[0-7]?[0-7][0-7][2367]|[ao]\+w)\b",
        "makes files writable by everyone",
        needles=("chmod",),
    ),
    TextRule(
        "swallowed-error",
        r"\|\|\s*(?:true|:)(?=\s|;|$)",
        "hides the failure and its error output",
        _quiet_failure,
        needles=("||",),
    ),
)
GENERIC = (
    TextRule(
        "code-injection",
        r"(?<![.\w])(?:eval|exec)\s*\(",
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
        rf"\b({_SECRET_WORDS})[\"']?\s*[:=]\s*[\"']([^\"'\s]{{4,}})[\"']",
        "hard-coded secret in {0}",
        _secret_literal,
        needles=("pass", "secret", "token", "key"),
    ),
)
_RULES_BY_LANGUAGE = {
    PYTHON: ANY,
    JAVASCRIPT: ANY + JS,
    TYPESCRIPT: ANY + JS,
    SHELL: ANY + SH,
    OTHER_CODE: ANY + GENERIC,
    TEXT: ANY + GENERIC,
}


_COMPILED = {
    r.pattern: re.compile(r.pattern, re.MULTILINE) for rules in _RULES_BY_LANGUAGE.values() for r in rules
}


def text_findings(src: Source) -> list[Finding]:
    """The text checks of the content's language; each rule reported once per line."""
    # Python that does not parse has no tree to check: the generic patterns stand in for it.
    language = OTHER_CODE if src.language == PYTHON and src.tree is None else src.language
    lower = src.lower
    found: list[Finding] = []
    for rule in _RULES_BY_LANGUAGE[language]:
        if rule.needles and not any(n in lower for n in rule.needles):
            continue
        seen: set[int] = set()
        for m in rule.regex.finditer(src.text):
            line = src.line_of(m.start())
            if line in seen:
                continue
            groups = m.groups()
            message = rule.message.format(*groups) if groups else rule.message
            if rule.confirm is not None:
                confirmed = rule.confirm(src, m, src.line_text(line))
                if confirmed is None:
                    continue
                message = confirmed.replace("{msg}", message)
            seen.add(line)
            found.append(hit(rule.rule, line, message))
    if src.language == SHELL:
        found += _shell_hygiene(src)
    if language == PYTHON and "#" in src.text:
        found += commented_out_code(src)
    return found


_ERREXIT_RE = re.compile(r"(?m)^\s*set\s+(?:-[a-zA-Z]*e|-o\s+errexit)")


def _shell_hygiene(src: Source) -> list[Finding]:
    commands = sum(1 for ln in src.lines if ln.strip() and not ln.lstrip().startswith("#"))
    if commands > 5 and not _ERREXIT_RE.search(src.text):
        return [hit("no-errexit", 1, "no set -e: the script carries on after a failed command")]
    return []


_COMMENTED_CODE_RE = re.compile(
    r"(?m)^[ \t]*#[ \t]*(?:(?:def|class|return|import|for|while|if|elif|else|try|except|with)\b[^\n]*"
    r"|[\w.\[\]\"']+[ \t]*(?:[-+*/]?=|\()[^\n]*)$"
)


def commented_out_code(src: Source) -> list[Finding]:
    """Runs of three or more comment lines that read as code."""
    found = []
    run_start = run_end = -2
    for m in _COMMENTED_CODE_RE.finditer(src.text):
        line = src.line_of(m.start())
        if line == run_end + 1:
            run_end = line
            continue
        if run_end - run_start >= 2:
            found.append(_commented(run_start, run_end))
        run_start = run_end = line
    if run_end - run_start >= 2:
        found.append(_commented(run_start, run_end))
    return found


def _commented(first: int, last: int) -> Finding:
    return hit("commented-out-code", first, f"{last - first + 1} lines of commented-out code")
