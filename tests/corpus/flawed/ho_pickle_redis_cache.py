import functools
import pickle

import redis

_redis = redis.Redis(host="cache.internal", port=6379, db=0)


def cached(ttl_s: int = 300):
    """Cache a function's result in Redis, keyed by its arguments."""

    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            key = f"{fn.__module__}.{fn.__name__}:{args!r}:{sorted(kwargs.items())!r}"
            hit = _redis.get(key)
            if hit is not None:
                return pickle.loads(hit)
            value = fn(*args, **kwargs)
            _redis.setex(key, ttl_s, pickle.dumps(value))
            return value

        return wrapper

    return decorator
