"""Shell rules: downloads piped into a shell, eval of variables, rm -r of an unguarded
variable, TLS checks off, secrets on command lines, world-writable files, hidden failures."""

from __future__ import annotations

import re

from .source import Source
from .textrules import SECRET_WORDS, TextRule, secret_literal
from .textrules import legacy as _legacy


def _quiet_failure(src: Source, m: re.Match, line: str) -> str | None:
    return "{msg}" if "/dev/null" in line else None


SH = _legacy(
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
        rf"^[ \t]*(?:export\s+)?({SECRET_WORDS})=[\"']?([^\"'\s$`]{{4,}})",
        "hard-coded secret in {0}",
        secret_literal,
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
