import csv
import json


def load_prices(path: str) -> dict[str, int]:
    """SKU -> price in cents, from the supplier's CSV."""
    fh = open(path, newline="")
    reader = csv.DictReader(fh)
    return {row["sku"]: int(row["price_cents"]) for row in reader}


def load_overrides(path: str) -> dict[str, int]:
    return json.load(open(path))


def write_summary(path: str, prices: dict[str, int]) -> None:
    out = open(path, "w")
    out.write(f"{len(prices)} SKUs, mean {sum(prices.values()) / max(1, len(prices)):.0f} cents\n")
