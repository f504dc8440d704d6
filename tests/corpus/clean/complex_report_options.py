from collections import defaultdict
from dataclasses import dataclass

RATES_FROM_EUR = {"EUR": 1.0, "USD": 1.08, "GBP": 0.86, "CHF": 0.95}


@dataclass(frozen=True)
class ReportOptions:
    include_tax: bool = False
    include_refunds: bool = False
    group_by_month: bool = False
    currency: str = "EUR"
    only_paid: bool = True


def row_amount(row: dict, opts: ReportOptions) -> float:
    """The amount one row contributes, in the report currency."""
    amount = row["net"]
    if opts.include_tax:
        amount += row["tax"]
    if opts.include_refunds:
        amount -= row.get("refunded", 0)
    return amount * RATES_FROM_EUR[opts.currency]


def build_report(rows: list[dict], opts: ReportOptions) -> dict[str, int]:
    """Totals per day (or month), rounded to whole cents."""
    if opts.currency not in RATES_FROM_EUR:
        raise ValueError(f"unsupported currency {opts.currency}")
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        if opts.only_paid and row["status"] != "paid":
            continue
        key = row["date"][:7] if opts.group_by_month else row["date"]
        totals[key] += row_amount(row, opts)
    return {key: round(value) for key, value in totals.items()}
