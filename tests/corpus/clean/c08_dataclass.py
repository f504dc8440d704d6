from dataclasses import dataclass


@dataclass(frozen=True)
class Money:
    """An amount in minor units with its currency."""

    cents: int
    currency: str

    def add(self, other: "Money") -> "Money":
        """Add two amounts of the same currency."""
        if other.currency != self.currency:
            raise ValueError("currency mismatch")
        return Money(self.cents + other.cents, self.currency)
