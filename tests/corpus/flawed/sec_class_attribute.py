from dataclasses import dataclass

import stripe


@dataclass
class PaymentGateway:
    """Thin wrapper around Stripe charges."""

    currency: str = "eur"
    api_key: str = "sk_live_51HxQ2eLkR8bT3nVw9YpZ0aC"

    def __post_init__(self) -> None:
        stripe.api_key = self.api_key

    def charge(self, customer_id: str, amount_cents: int, description: str) -> str:
        charge = stripe.Charge.create(
            customer=customer_id,
            amount=amount_cents,
            currency=self.currency,
            description=description,
        )
        return charge["id"]

    def refund(self, charge_id: str) -> str:
        refund = stripe.Refund.create(charge=charge_id)
        return refund["id"]
