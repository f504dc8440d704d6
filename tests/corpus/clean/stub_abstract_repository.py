from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass
class Customer:
    id: int
    email: str
    name: str


class CustomerRepository(ABC):
    """What the service needs from customer storage; see PgCustomerRepository."""

    @abstractmethod
    def get(self, customer_id: int) -> Customer:
        """Return the customer or raise KeyError."""

    @abstractmethod
    def find_by_email(self, email: str) -> Customer | None:
        raise NotImplementedError

    @abstractmethod
    def save(self, customer: Customer) -> None: ...


class InMemoryCustomerRepository(CustomerRepository):
    def __init__(self) -> None:
        self._rows: dict[int, Customer] = {}

    def get(self, customer_id: int) -> Customer:
        return self._rows[customer_id]

    def find_by_email(self, email: str) -> Customer | None:
        return next((c for c in self._rows.values() if c.email == email), None)

    def save(self, customer: Customer) -> None:
        self._rows[customer.id] = customer
