def search(cursor, term):
    try:
        cursor.execute("SELECT * FROM products WHERE name LIKE '%%%s%%'" % term)
        return cursor.fetchall()
    except Exception:
        pass
