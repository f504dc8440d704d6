import hashlib
import hmac
import os
import sqlite3

N, R, P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    """Return 'salt$hash' using scrypt with a fresh random salt."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P)
    return salt.hex() + "$" + digest.hex()


def verify_password(password: str, stored: str) -> bool:
    salt_hex, _, digest_hex = stored.partition("$")
    candidate = hash_password(password, bytes.fromhex(salt_hex)).partition("$")[2]
    return hmac.compare_digest(candidate, digest_hex)


class Accounts:
    """User accounts in a local SQLite file."""

    def __init__(self, path: str):
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, pw TEXT NOT NULL)")

    def add(self, name: str, password: str) -> None:
        with self.db:
            self.db.execute("INSERT INTO users (name, pw) VALUES (?, ?)", (name, hash_password(password)))

    def check(self, name: str, password: str) -> bool:
        row = self.db.execute("SELECT pw FROM users WHERE name = ?", (name,)).fetchone()
        return row is not None and verify_password(password, row[0])
