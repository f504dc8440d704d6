import hashlib
import sqlite3


class Accounts:
    """User accounts in a local SQLite file."""

    def __init__(self, path: str):
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, pw TEXT NOT NULL)")

    def add(self, name: str, password: str) -> None:
        digest = hashlib.sha256(password.encode("utf-8")).hexdigest()
        with self.db:
            self.db.execute("INSERT INTO users (name, pw) VALUES (?, ?)", (name, digest))

    def check(self, name: str, password: str) -> bool:
        row = self.db.execute("SELECT pw FROM users WHERE name = ?", (name,)).fetchone()
        return row is not None and row[0] == hashlib.sha256(password.encode("utf-8")).hexdigest()
