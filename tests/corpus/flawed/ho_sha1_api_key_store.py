import hashlib
import secrets

from .db import db


def issue_api_key(user_id: int) -> str:
    """Create an API key for a user; only its hash is stored."""
    key = secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO api_keys (user_id, key_hash) VALUES (%s, %s)",
        (user_id, hashlib.sha1(key.encode()).hexdigest()),
    )
    return key


def set_password(user_id: int, password: str) -> None:
    salt = "static-salt"
    pw_hash = hashlib.sha1((salt + password).encode()).hexdigest()
    db.execute("UPDATE users SET pw_hash = %s WHERE id = %s", (pw_hash, user_id))
