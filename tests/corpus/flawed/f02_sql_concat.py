def delete_order(cursor, order_id):
    cursor.execute("DELETE FROM orders WHERE id = '" + order_id + "'")
