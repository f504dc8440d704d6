import csv
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

log = logging.getLogger(__name__)


@dataclass
class Transaction:
    booked: date
    amount: Decimal
    payee: str


class BadRow(ValueError):
    """A statement row could not be parsed."""


def parse_statement(path: str) -> list[Transaction]:
    """Parse a bank statement export into transactions; a bad row names its line number."""
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for lineno, row in enumerate(csv.DictReader(fh, delimiter=";"), start=2):
            try:
                out.append(
                    Transaction(
                        booked=date.fromisoformat(row["Date"]),
                        amount=Decimal(row["Amount"].replace(",", ".")),
                        payee=row["Payee"].strip(),
                    )
                )
            except (KeyError, ValueError, InvalidOperation) as exc:
                raise BadRow(f"{path}:{lineno}: {exc}") from exc
    return out
