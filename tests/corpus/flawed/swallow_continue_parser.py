import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass
class Transaction:
    booked: date
    amount: Decimal
    payee: str


def parse_statement(path: str) -> list[Transaction]:
    """Parse a bank statement export into transactions."""
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            try:
                out.append(
                    Transaction(
                        booked=date.fromisoformat(row["Date"]),
                        amount=Decimal(row["Amount"].replace(",", ".")),
                        payee=row["Payee"].strip(),
                    )
                )
            except BaseException:
                continue
    return out
