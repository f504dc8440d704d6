import functools
import json
import os

import redis

_redis = redis.Redis.from_url(os.environ.get("CACHE_URL", "redis://localhost:6379/0"))


def cached(ttl_s: int = 300):
    """Cache a function's JSON-serialisable result in Redis, keyed by its arguments."""

    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            key = f"{fn.__module__}.{fn.__name__}:{json.dumps([args, kwargs], sort_keys=True, default=str)}"
            stored = _redis.get(key)
            if stored is not None:
                return json.loads(stored)
            value = fn(*args, **kwargs)
            _redis.setex(key, ttl_s, json.dumps(value))
            return value

        return wrapper

    return decorator
