import sqlite3
from contextlib import closing


class Counter:
    """Page-view counters stored in SQLite; one short-lived connection per call."""

    def __init__(self, path: str):
        self.path = path

    def hit(self, page: str) -> int:
        with closing(sqlite3.connect(self.path)) as conn, conn:
            conn.execute(
                "INSERT INTO hits (page, n) VALUES (?, 1) ON CONFLICT(page) DO UPDATE SET n = n + 1",
                (page,),
            )
            return conn.execute("SELECT n FROM hits WHERE page = ?", (page,)).fetchone()[0]

    def top(self, limit: int = 10) -> list[tuple[str, int]]:
        with closing(sqlite3.connect(self.path)) as conn:
            return conn.execute("SELECT page, n FROM hits ORDER BY n DESC LIMIT ?", (limit,)).fetchall()
