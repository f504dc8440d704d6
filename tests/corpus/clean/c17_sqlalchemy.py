from sqlalchemy import text


def count_orders(session, customer_id: int) -> int:
    """Count a customer's orders with a bound parameter."""
    query = text("SELECT count(*) FROM orders WHERE customer_id = :cid")
    return session.execute(query, {"cid": customer_id}).scalar_one()
