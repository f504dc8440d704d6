from dataclasses import dataclass, field

import stripe


@dataclass
class PaymentGateway:
    """Thin wrapper around Stripe charges; the key is injected, never written down."""

    api_key: str = field(repr=False)
    currency: str = "eur"

    def __post_init__(self) -> None:
        if not self.api_key.startswith(("sk_live_", "sk_test_")):
            raise ValueError("api_key does not look like a Stripe secret key")
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
