from dataclasses import dataclass


@dataclass
class Customer:
    id: int
    email: str
    name: str


class CustomerRepository:
    """Stores customers in PostgreSQL."""

    def __init__(self, pool):
        self.pool = pool

    def get(self, customer_id: int) -> Customer:
        raise NotImplementedError

    def find_by_email(self, email: str) -> Customer | None:
        raise NotImplementedError

    def save(self, customer: Customer) -> None:
        pass

    def delete(self, customer_id: int) -> None:
        pass
