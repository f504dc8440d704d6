"""Ask a running node to judge files: ``cynic judge --server URL [--store]``.

Each file is one ``POST /judge`` with ``{"content", "context": "file: <path>"}``: a dry run
(``?dry_run=true``, nothing stored) unless ``store``. A stored judgment is sent with an
``Idempotency-Key`` derived from the file's path and content, so a retry, or a second run on an
unchanged file within the node's key retention, gets the judgment already stored instead of a
second one. A 503 (the node's write did not happen, or its outcome is unknown) and a connection
failure are retried a few times with the same key, as docs/operations.md says a client should;
any other refusal (a 422 for a file longer than the node's CYNIC_MAX_CONTENT_CHARS…) is that
file's error, worded as the node worded it. An empty file is judged like any other (a node
judges empty content). ``CYNIC_API_TOKEN``, when set in the environment, is sent as the bearer
token.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .report import FileReport
from .run import line_texts, read_source

ATTEMPTS = 3
TIMEOUT_S = 60.0
#: The longest Retry-After honoured between attempts.
MAX_WAIT_S = 10.0
#: Requests in flight at once: the node's threads do the work.
CONCURRENT_REQUESTS = 4


class NodeUnreachable(RuntimeError):
    """The node did not answer its health check."""


def idempotency_key(path: str, text: str) -> str:
    digest = hashlib.sha256(f"{path}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"cynic-judge-{digest}"


def check_reachable(server: str) -> None:
    """Raise NodeUnreachable unless GET /health answers 200."""
    try:
        with urllib.request.urlopen(f"{server.rstrip('/')}/health", timeout=TIMEOUT_S) as answer:
            if answer.status == 200:
                return
            raise NodeUnreachable(f"{server} answered {answer.status} to GET /health")
    except (urllib.error.URLError, OSError) as exc:
        raise NodeUnreachable(f"cannot reach the node at {server}: {getattr(exc, 'reason', exc)}") from exc


def judge_files_remote(
    paths: list[str],
    *,
    server: str,
    store: bool,
    done: Callable[[FileReport], None] = lambda _report: None,
) -> list[FileReport]:
    """Every file's report from the node, in the order of paths."""
    token = os.environ.get("CYNIC_API_TOKEN") or None
    reports = []
    with ThreadPoolExecutor(max_workers=CONCURRENT_REQUESTS) as pool:
        for report in pool.map(lambda p: judge_remote(p, server=server, store=store, token=token), paths):
            done(report)
            reports.append(report)
    return reports


def judge_remote(path: str, *, server: str, store: bool, token: str | None) -> FileReport:
    text, not_judged = read_source(path)
    if not_judged is not None:
        return not_judged
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if store:
        headers["Idempotency-Key"] = idempotency_key(path, text)
    url = f"{server.rstrip('/')}/judge" + ("" if store else "?dry_run=true")
    body = json.dumps({"content": text, "context": f"file: {path}"}).encode("utf-8", "surrogatepass")
    status, answer = _post(url, body, headers)
    if status != 200:
        return FileReport(path, error=_refusal(status, answer))
    return FileReport(
        path,
        verdict=answer["verdict"],
        q_score=answer["q_score"],
        language=answer.get("language", ""),
        findings=answer.get("findings", []),
        line_texts=line_texts(text, answer.get("findings", [])),
        judgment_id=answer["judgment_id"],
        persisted=bool(answer.get("persisted")),
    )


def _post(url: str, body: bytes, headers: dict) -> tuple[int, dict | str]:
    """(status, parsed answer) after at most ATTEMPTS tries; status 0 when nothing answered."""
    for attempt in range(1, ATTEMPTS + 1):
        wait_s = float(attempt)
        try:
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
            if status != 503 or attempt == ATTEMPTS:
                return status, _parsed(text)
            wait_s = _retry_after(exc.headers.get("Retry-After"), wait_s)
        except (urllib.error.URLError, OSError) as exc:
            if attempt == ATTEMPTS:
                return 0, f"no answer from the node: {getattr(exc, 'reason', exc)}"
        time.sleep(min(wait_s, MAX_WAIT_S))
    raise AssertionError("unreachable: the last attempt returns")


def _parsed(text: str) -> dict | str:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _retry_after(header: str | None, default_s: float) -> float:
    try:
        return float(header) if header else default_s
    except ValueError:
        return default_s


def _refusal(status: int, answer: dict | str) -> str:
    """The node's refusal in one line: its message and the fields it names."""
    if not status:
        return str(answer)
    error = answer.get("error", {}) if isinstance(answer, dict) else {}
    if not error:
        return f"the node answered {status}: {str(answer)[:200]}"
    fields = (error.get("details") or {}).get("fields") or {}
    named = "; ".join(f"{k} {v}" for k, v in fields.items())
    return f"the node answered {status} {error.get('code')}: {error.get('message')}" + (
        f" ({named})" if named else ""
    )
