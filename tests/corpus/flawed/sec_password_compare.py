from functools import wraps

from flask import Response, request

ADMIN_USER = "ops"


def requires_admin(view):
    """Protect an admin view with HTTP basic auth."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        auth = request.authorization
        if auth is None or auth.username != ADMIN_USER or auth.password != "Tr0ub4dor&3":
            return Response(
                "admin login required",
                401,
                {"WWW-Authenticate": 'Basic realm="admin"'},
            )
        return view(*args, **kwargs)

    return wrapper
