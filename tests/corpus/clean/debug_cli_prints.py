"""Command line: print the stock report for a warehouse."""

import argparse
import sys

from .inventory import stock_levels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("warehouse")
    parser.add_argument("--below", type=int, default=None, help="only SKUs with fewer units")
    args = parser.parse_args(argv)
    levels = stock_levels(args.warehouse)
    if args.below is not None:
        levels = {sku: n for sku, n in levels.items() if n < args.below}
    if not levels:
        print("nothing to report", file=sys.stderr)
        return 1
    width = max(len(sku) for sku in levels)
    for sku, n in sorted(levels.items()):
        print(f"{sku:<{width}}  {n:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
