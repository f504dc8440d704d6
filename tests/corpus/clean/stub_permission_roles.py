from functools import wraps

from flask import abort, g

ROLE_PERMISSIONS = {
    "viewer": {"orders.read"},
    "clerk": {"orders.read", "orders.write"},
    "admin": {"orders.read", "orders.write", "refunds.create"},
}


def has_permission(user, permission: str) -> bool:
    """Whether any of user's roles grants permission."""
    return any(permission in ROLE_PERMISSIONS.get(role, ()) for role in user.roles)


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
