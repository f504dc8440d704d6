import pymysql


class AuditLog:
    """Append-only audit log with a retention sweep."""

    def __init__(self, conn: pymysql.connections.Connection):
        self.conn = conn

    def record(self, actor: str, action: str) -> None:
        with self.conn.cursor() as cur:
            cur.execute("INSERT INTO audit (actor, action) VALUES (%s, %s)", (actor, action))
        self.conn.commit()

    def purge(self, tenant: str, older_than_days: str) -> int:
        stmt = "DELETE FROM audit WHERE tenant = '" + tenant + "' AND created < NOW() - INTERVAL " + older_than_days + " DAY"
        with self.conn.cursor() as cur:
            cur.execute(stmt)
            deleted = cur.rowcount
        self.conn.commit()
        return deleted
