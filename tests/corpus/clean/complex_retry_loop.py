import time

RETRYABLE = frozenset({429, 500, 502, 503, 504})


class GaveUp(RuntimeError):
    """The request still failed after every retry."""


def backoff_s(attempt: int, retry_after: str | None) -> float:
    """Seconds to wait before the next attempt: the server's Retry-After, else 2^attempt."""
    if retry_after and retry_after.isdigit():
        return float(retry_after)
    return float(2**attempt)


def fetch_with_retries(client, url: str, retries: int = 5):
    """GET url as JSON, retrying throttling, server errors and timeouts with backoff."""
    for attempt in range(1, retries + 2):
        try:
            resp = client.get(url, timeout=5)
        except TimeoutError:
            if attempt > retries:
                raise
            time.sleep(backoff_s(attempt, None))
            continue
        if resp.status_code == 200:
            return resp.json()
        if resp.status_code not in RETRYABLE or attempt > retries:
            raise GaveUp(f"GET {url}: {resp.status_code} after {attempt} attempts")
        time.sleep(backoff_s(attempt, resp.headers.get("Retry-After")))
    raise GaveUp(f"GET {url}: no attempts made")
