def find_user(conn, user_id: int):
    """Return the user row for user_id, or None."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM users WHERE id = %s", (user_id,))
        return cur.fetchone()
