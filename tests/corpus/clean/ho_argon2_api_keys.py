import hashlib
import secrets

from argon2 import PasswordHasher

from .db import db

_hasher = PasswordHasher()


def issue_api_key(user_id: int) -> str:
    """Create an API key for a user; only a SHA-256 of the (random, high-entropy) key is stored."""
    key = secrets.token_urlsafe(32)
    digest = hashlib.sha256(key.encode()).hexdigest()
    db.execute("INSERT INTO api_keys (user_id, key_hash) VALUES (%s, %s)", (user_id, digest))
    return key


def set_password(user_id: int, password: str) -> None:
    """Store an Argon2id hash of the password (salted by the library)."""
    db.execute("UPDATE users SET pw_hash = %s WHERE id = %s", (_hasher.hash(password), user_id))
