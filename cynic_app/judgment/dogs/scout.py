"""SCOUT — references: links must be well formed (checked offline, never fetched)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ..patterns import linear
from ..phi import PHI_INV
from ..rules import hit
from ..source import URL_RE, Source
from ..vote import Vote, cast

NAME = "SCOUT"
_LABEL_RE = linear("host-label", r"(?i)^[a-z0-9-]{1,63}$")


def check_url(url: str) -> str | None:
    """Return why url is malformed or unsafe, or None when it is fine."""
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"malformed link {url[:60]!r}: {exc}"
    host = parts.hostname or ""
    if not host:
        return f"link without a host: {url[:60]!r}"
    if parts.password:
        return f"link embeds a password: {parts.scheme}://…@{host}"
    if port == 0:
        return f"link with port 0: {url[:60]!r}"
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if host != "localhost" and (len(labels) < 2 or not labels[-1].isalpha() or len(labels[-1]) < 2):
        return f"host is not a valid domain: {host[:60]!r}"
    if not all(_LABEL_RE.match(label) and label[0] != "-" and label[-1] != "-" for label in labels):
        return f"host is not a valid domain: {host[:60]!r}"
    return None


def vote(src: Source, cell, memory, votes=None) -> Vote:
    urls = (
        [(m.group(0), m.start()) for m in URL_RE.finditer(src.text)]
        if "://" in src.text or "www." in src.text
        else []
    )
    if not urls:
        return cast(NAME, 75.0, [], PHI_INV * 0.25, praise="no references to check")
    findings = []
    for url, at in urls[:50]:
        problem = check_url(url)
        line = src.line_of(at)
        if problem:
            rule = "secret-in-url" if "password" in problem else "malformed-link"
            findings.append(hit(rule, line, problem))
        elif url.lower().startswith("http://") and "localhost" not in url and "127.0.0.1" not in url:
            findings.append(hit("plain-http", line, f"plain-http link: {url[:60]}"))
    return cast(
        NAME,
        88.0,
        src.suppress(findings[:6]),
        PHI_INV * min(1.0, 0.5 + 0.1 * len(urls)),
        praise=f"{len(urls)} references well formed",
    )
