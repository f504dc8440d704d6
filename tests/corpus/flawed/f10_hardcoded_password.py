import psycopg

DB_PASSWORD = "hunter2-prod-2024"


def connect():
    return psycopg.connect(host="db.internal", user="admin", password=DB_PASSWORD)
