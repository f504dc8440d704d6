from decimal import Decimal

from .ledger import Ledger, InsufficientFunds


def transfer(ledger: Ledger, source: str, target: str, amount: Decimal, reference: str) -> str:
    """Move amount from source to target as one ledger transaction."""
    # TODO: check daily transfer limits before going live
    print(f"transfer {source} -> {target}: {amount}")
    if amount <= 0:
        raise ValueError("amount must be positive")
    with ledger.transaction() as tx:
        balance = tx.balance(source)
        breakpoint()
        if balance < amount:
            raise InsufficientFunds(source, balance, amount)
        tx.debit(source, amount, reference)
        tx.credit(target, amount, reference)
        # FIXME: fees are not applied yet
        return tx.id
