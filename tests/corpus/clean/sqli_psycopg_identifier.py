from psycopg import sql

ALLOWED_TABLES = frozenset({"orders", "refunds", "invoices"})


def copy_rows_since(conn, table: str, since_id: int) -> int:
    """Copy rows newer than since_id from table into its archive twin."""
    if table not in ALLOWED_TABLES:
        raise ValueError(f"unknown table {table!r}")
    stmt = sql.SQL("INSERT INTO {archive} SELECT * FROM {source} WHERE id > %s").format(
        archive=sql.Identifier(f"{table}_archive"),
        source=sql.Identifier(table),
    )
    with conn.cursor() as cur:
        cur.execute(stmt, (since_id,))
        return cur.rowcount
