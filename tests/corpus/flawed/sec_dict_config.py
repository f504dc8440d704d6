import redis
import requests

SETTINGS = {
    "redis": {"host": "cache.internal", "port": 6379, "password": "r3dis-pr0d-pa55"},
    "github": {"api": "https://api.github.com", "token": "ghp_4f9Kx2LmQ8rT6vW1yZ3bN5cD7eH0jA2sU9pX"},
    "timeout_s": 5,
}


def cache():
    cfg = SETTINGS["redis"]
    return redis.Redis(host=cfg["host"], port=cfg["port"], password=cfg["password"])


def open_issues(repo: str) -> list[dict]:
    """Return the open issues of repo, cached for five minutes."""
    key = f"issues:{repo}"
    cached = cache().get(key)
    if cached is not None:
        return requests.models.complexjson.loads(cached)
    gh = SETTINGS["github"]
    resp = requests.get(
        f"{gh['api']}/repos/{repo}/issues",
        headers={"Authorization": f"token {gh['token']}"},
        timeout=SETTINGS["timeout_s"],
    )
    resp.raise_for_status()
    cache().setex(key, 300, resp.text)
    return resp.json()
