import sqlite3
from dataclasses import dataclass

SORTABLE = {"name": "name", "price": "price_cents", "newest": "id DESC"}


@dataclass
class Product:
    id: int
    name: str
    price_cents: int


def search_products(db: sqlite3.Connection, term: str, max_price: int, order: str = "name") -> list[Product]:
    """Product search for the storefront; the sort key is chosen from a fixed list."""
    order_by = SORTABLE.get(order)
    if order_by is None:
        raise ValueError(f"cannot sort by {order!r}")
    query = (
        "SELECT id, name, price_cents FROM products "
        "WHERE name LIKE ? AND price_cents <= ? "
        "ORDER BY " + order_by
    )
    rows = db.execute(query, (f"%{term}%", max_price)).fetchall()
    return [Product(*row) for row in rows]


def product_count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM products").fetchone()[0]
