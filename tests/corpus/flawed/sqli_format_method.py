from flask import Flask, jsonify, request

from .db import get_db

app = Flask(__name__)


@app.get("/orders")
def list_orders():
    """Orders of one customer, newest first, optionally filtered by status."""
    customer = request.args["customer"]
    status = request.args.get("status", "open")
    sql = "SELECT id, total_cents, status FROM orders WHERE customer_id = {} AND status = '{}' ORDER BY id DESC"
    cur = get_db().cursor()
    cur.execute(sql.format(customer, status))
    return jsonify([{"id": r[0], "total_cents": r[1], "status": r[2]} for r in cur.fetchall()])
