import hmac
import os
from functools import wraps

from flask import Response, request

ADMIN_USER = "ops"


def _admin_password() -> str:
    return os.environ["ADMIN_PASSWORD"]


def requires_admin(view):
    """Protect an admin view with HTTP basic auth, comparing in constant time."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        auth = request.authorization
        ok = (
            auth is not None
            and hmac.compare_digest(auth.username or "", ADMIN_USER)
            and hmac.compare_digest(auth.password or "", _admin_password())
        )
        if not ok:
            return Response("admin login required", 401, {"WWW-Authenticate": 'Basic realm="admin"'})
        return view(*args, **kwargs)

    return wrapper
