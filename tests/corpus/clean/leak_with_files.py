import csv
import json
from pathlib import Path


def load_prices(path: Path) -> dict[str, int]:
    """SKU -> price in cents, from the supplier's CSV."""
    with path.open(newline="") as fh:
        return {row["sku"]: int(row["price_cents"]) for row in csv.DictReader(fh)}


def load_overrides(path: Path) -> dict[str, int]:
    return json.loads(path.read_text())


def write_summary(path: Path, prices: dict[str, int]) -> None:
    mean = sum(prices.values()) / max(1, len(prices))
    with path.open("w") as out:
        out.write(f"{len(prices)} SKUs, mean {mean:.0f} cents\n")
