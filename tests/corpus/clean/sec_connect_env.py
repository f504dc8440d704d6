"""Nightly export of settled invoices to the reporting warehouse."""

import csv
import logging
import os
from pathlib import Path

import psycopg2

log = logging.getLogger(__name__)


def open_warehouse():
    return psycopg2.connect(
        host=os.environ["WAREHOUSE_HOST"],
        port=int(os.environ.get("WAREHOUSE_PORT", "5432")),
        dbname="reporting",
        user=os.environ["WAREHOUSE_USER"],
        password=os.environ["WAREHOUSE_PASSWORD"],
    )


def export_settled(day: str, out_dir: Path) -> Path:
    """Write every invoice settled on day to a CSV file and return its path."""
    target = out_dir / f"settled-{day}.csv"
    with open_warehouse() as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, customer_id, amount_cents, settled_at FROM invoices WHERE settled_at::date = %s",
            (day,),
        )
        rows = cur.fetchall()
    with target.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "customer_id", "amount_cents", "settled_at"])
        writer.writerows(rows)
    log.info("exported %d invoices to %s", len(rows), target)
    return target
