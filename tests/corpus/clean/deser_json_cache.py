import hashlib
import json
from pathlib import Path

import requests

CACHE = Path("/var/cache/feeds")


def fetch_feed(url: str) -> dict:
    """Download a partner feed, caching the parsed form on disk as JSON."""
    key = CACHE / (hashlib.sha256(url.encode()).hexdigest() + ".json")
    if key.exists():
        return json.loads(key.read_text())
    resp = requests.get(url, timeout=20)
    resp.raise_for_status()
    data = resp.json()
    tmp = key.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(key)
    return data
