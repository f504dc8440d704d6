import marshal
from pathlib import Path

import requests

CACHE = Path("/var/cache/feeds")


def fetch_feed(url: str) -> dict:
    """Download a partner feed, caching the parsed form on disk."""
    key = CACHE / (url.replace("/", "_") + ".bin")
    if key.exists():
        return marshal.loads(key.read_bytes())
    resp = requests.get(url, timeout=20)
    resp.raise_for_status()
    data = resp.json()
    key.write_bytes(marshal.dumps(data))
    return data
