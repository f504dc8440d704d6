import sqlite3


class Counter:
    """Page-view counters stored in SQLite."""

    def __init__(self, path: str):
        self.path = path

    def hit(self, page: str) -> int:
        conn = sqlite3.connect(self.path)
        cur = conn.cursor()
        cur.execute(
            "INSERT INTO hits (page, n) VALUES (?, 1) ON CONFLICT(page) DO UPDATE SET n = n + 1",
            (page,),
        )
        conn.commit()
        cur.execute("SELECT n FROM hits WHERE page = ?", (page,))
        return cur.fetchone()[0]

    def top(self, limit: int = 10) -> list[tuple[str, int]]:
        conn = sqlite3.connect(self.path)
        return conn.execute("SELECT page, n FROM hits ORDER BY n DESC LIMIT ?", (limit,)).fetchall()
