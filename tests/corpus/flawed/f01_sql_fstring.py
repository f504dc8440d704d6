def find_user(conn, user_id):
    """Return the user row for user_id."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, name FROM users WHERE id = {user_id}")
        return cur.fetchone()
