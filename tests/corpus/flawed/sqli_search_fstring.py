import sqlite3
from dataclasses import dataclass


@dataclass
class Product:
    id: int
    name: str
    price_cents: int


def search_products(db: sqlite3.Connection, term: str, max_price: int, order: str = "name") -> list[Product]:
    """Full-text-ish product search for the storefront."""
    query = (
        f"SELECT id, name, price_cents FROM products "
        f"WHERE name LIKE '%{term}%' AND price_cents <= {max_price} "
        f"ORDER BY {order}"
    )
    rows = db.execute(query).fetchall()
    return [Product(*row) for row in rows]


def product_count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM products").fetchone()[0]
