import logging
from decimal import Decimal

log = logging.getLogger(__name__)


class RefundError(Exception):
    pass


class Refunds:
    """Refund settled payments through the acquirer."""

    def __init__(self, acquirer):
        self.acquirer = acquirer

    def refund(self, payment_id: str, amount: Decimal) -> str:
        if amount <= 0:
            raise RefundError("amount must be positive")
        log.info("refunding %s of %s", amount, payment_id)
        return self._submit(payment_id, amount)

    def _submit(self, payment_id: str, amount: Decimal) -> str:
        # not wired to the acquirer yet
        return "refund-pending"

    def status(self, refund_id: str) -> str:
        raise NotImplementedError("refund status")
