def save(records, db):
    for record in records:
        try:
            db.insert(record)
        except Exception:
            pass
