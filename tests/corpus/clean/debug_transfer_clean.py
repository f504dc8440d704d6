import logging
from decimal import Decimal

from .ledger import InsufficientFunds, Ledger
from .limits import check_daily_limit

log = logging.getLogger(__name__)


def transfer(ledger: Ledger, source: str, target: str, amount: Decimal, reference: str) -> str:
    """Move amount from source to target as one ledger transaction."""
    if amount <= 0:
        raise ValueError("amount must be positive")
    check_daily_limit(source, amount)
    with ledger.transaction() as tx:
        balance = tx.balance(source)
        if balance < amount:
            raise InsufficientFunds(source, balance, amount)
        tx.debit(source, amount, reference)
        tx.credit(target, amount, reference)
        log.info("transfer %s: %s -> %s (%s)", tx.id, source, target, amount)
        return tx.id
