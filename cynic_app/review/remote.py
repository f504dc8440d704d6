"""Ask a running node to judge files: ``cynic judge --server URL [--store]``.

Each file is one ``POST /judge`` with ``{"content", "context": "file: <path>"}``: a dry run
(``?dry_run=true``, nothing stored) unless ``store``. A stored judgment is sent with an
``Idempotency-Key`` derived from the file's path and content, so a retry, or a second run on an
unchanged file within the node's key retention, gets the judgment already stored instead of a
second one. A 503 (the node's write did not happen, or its outcome is unknown) and a connection
failure are retried a few times with the same key, as docs/operations.md says a client should.
A request that gets no answer within TIMEOUT_S is not: a node answers within seconds when it is
well (its budget is about 2 s), so it is hung, and the files not yet sent are not sent to it
(each is that file's error, and the run exits 3);
any other refusal (a 422 for a file longer than the node's CYNIC_MAX_CONTENT_CHARS…) is that
file's error, worded as the node worded it. An empty file is judged like any other (a node
judges empty content). ``CYNIC_API_TOKEN``, when set in the environment, is sent as the bearer
token.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ..judgment.phi import VERDICTS
from .report import VERDICT_OF_KIND, FileReport
from .run import line_texts, read_source, scope_texts

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
    except (ValueError, http.client.HTTPException) as exc:  # a URL with a space, a server not speaking HTTP…
        raise NodeUnreachable(f"cannot reach the node at {server!r}: {type(exc).__name__}: {exc}") from exc


def judge_files_remote(
    paths: list[str],
    *,
    server: str,
    store: bool,
    done: Callable[[FileReport], None] = lambda _report: None,
) -> list[FileReport]:
    """Every file's report from the node, in the order of paths."""
    token = os.environ.get("CYNIC_API_TOKEN") or None
    hung = threading.Event()  # a request timed out: the node is asked nothing more
    reports = []
    with ThreadPoolExecutor(max_workers=CONCURRENT_REQUESTS) as pool:

        def one(path: str) -> FileReport:
            return judge_remote(path, server=server, store=store, token=token, hung=hung)

        for report in pool.map(one, paths):
            done(report)
            reports.append(report)
    return reports


def judge_remote(
    path: str, *, server: str, store: bool, token: str | None, hung: threading.Event | None = None
) -> FileReport:
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
    status, answer = _post(url, body, headers, hung or threading.Event())
    if status != 200:
        return FileReport(path, error=_refusal(status, answer))
    wrong = _not_a_judgment(answer)
    if wrong:
        return FileReport(path, error=f"the node answered 200 with what is not a judgment: {wrong}")
    return FileReport(
        path,
        verdict=answer["verdict"],
        q_score=answer["q_score"],
        language=answer.get("language", ""),
        findings=answer.get("findings", []),
        line_texts=line_texts(text, answer.get("findings", []), answer.get("language") or "python"),
        scopes=scope_texts(text, answer.get("findings", []), answer.get("language") or "python"),
        judgment_id=answer["judgment_id"],
        persisted=bool(answer.get("persisted")),
    )


def _post(url: str, body: bytes, headers: dict, hung: threading.Event) -> tuple[int, dict | str]:
    """(status, parsed answer) after at most ATTEMPTS tries; status 0 when nothing answered. A
    request that times out sets hung, and nothing is sent once it is set."""
    for attempt in range(1, ATTEMPTS + 1):
        wait_s = float(attempt)
        if hung.is_set():
            return 0, f"not sent: the node did not answer another request within {TIMEOUT_S:g} s"
        deadline = time.monotonic() + TIMEOUT_S  # the whole answer, not each read: a trickle is a hang
        try:
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
                return answer.status, _parsed(_read_by(answer, deadline).decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            status = exc.code
            try:
                text = _read_by(exc, deadline).decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as cut:  # its body cut short, or never sent
                if isinstance(cut, TimeoutError):
                    hung.set()
                    return 0, f"the node did not finish its {status} answer within {TIMEOUT_S:g} s (hung)"
                text = f"(its answer cut short: {type(cut).__name__})"
            if status != 503 or attempt == ATTEMPTS:
                return status, _parsed(text)
            wait_s = _retry_after(exc.headers.get("Retry-After"), wait_s)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:  # an answer cut short…
            if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
                hung.set()
                return 0, f"the node did not answer within {TIMEOUT_S:g} s (a hung node: not retried)"
            if attempt == ATTEMPTS:
                return 0, f"no answer from the node: {getattr(exc, 'reason', exc)}"
        time.sleep(min(wait_s, MAX_WAIT_S))
    raise AssertionError("unreachable: the last attempt returns")


def _read_by(answer, deadline: float) -> bytes:
    """The answer's body; TimeoutError when it has not ended by deadline (a node sending it a byte
    at a time never lets a single read time out)."""
    read = getattr(answer, "read1", None) or answer.read
    chunks = []
    while chunk := read(65536):
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise TimeoutError(f"the answer did not end within {TIMEOUT_S:g} s")
    return b"".join(chunks)


def _not_a_judgment(answer: dict | str) -> str:
    """What makes a 200's body not a judgment this client can report ("" when it is one)."""
    if not isinstance(answer, dict):
        return str(answer)[:200] if isinstance(answer, str) else f"a JSON {type(answer).__name__}"
    if answer.get("verdict") not in VERDICTS:
        return f"verdict {answer.get('verdict')!r}"
    if not isinstance(answer.get("q_score"), int | float) or not isinstance(answer.get("judgment_id"), str):
        return "no q_score or judgment_id"
    findings = answer.get("findings", [])
    if not isinstance(findings, list) or not all(
        isinstance(f, dict)
        and isinstance(f.get("rule"), str)
        and isinstance(f.get("message"), str)
        and f.get("kind") in VERDICT_OF_KIND
        and all(_line_number(f.get(key)) for key in ("line", "column", "end_line", "source_line"))
        and isinstance(f.get("suppressed"), str | None)
        for f in findings
    ):
        return "findings without a rule, message, kind or line"
    return ""


def _line_number(value) -> bool:
    """A line or column as the judge gives one: absent, or an integer from 0 (not a bool)."""
    return value is None or (type(value) is int and value >= 0)


def _parsed(text: str) -> dict | str:
    """The answer's JSON, else its text; NaN and Infinity are not JSON (Python's json reads them)."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except ValueError:
        return text


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


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
