from flask import Flask, abort, jsonify, request

from .db import get_db

app = Flask(__name__)
STATUSES = ("open", "shipped", "cancelled")


@app.get("/orders")
def list_orders():
    """Orders of one customer, newest first, optionally filtered by status."""
    customer = request.args.get("customer", type=int)
    status = request.args.get("status", "open")
    if customer is None or status not in STATUSES:
        abort(400)
    cur = get_db().cursor()
    cur.execute(
        "SELECT id, total_cents, status FROM orders WHERE customer_id = %s AND status = %s ORDER BY id DESC",
        (customer, status),
    )
    return jsonify([{"id": r[0], "total_cents": r[1], "status": r[2]} for r in cur.fetchall()])
