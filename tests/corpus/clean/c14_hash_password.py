import hashlib
import os


def hash_password(password: str) -> bytes:
    """Derive a salted password hash with PBKDF2."""
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)
    return salt + digest
