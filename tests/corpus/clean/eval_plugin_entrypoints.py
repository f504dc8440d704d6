import logging
from importlib.metadata import entry_points
from typing import Callable

log = logging.getLogger(__name__)
Rule = Callable[[dict], dict]


class RuleEngine:
    """Runs pricing rules installed as packages that declare a 'shop.rules' entry point."""

    def __init__(self) -> None:
        self._rules: list[tuple[str, Rule]] = []

    def load(self) -> None:
        for ep in sorted(entry_points(group="shop.rules"), key=lambda e: e.name):
            self._rules.append((ep.name, ep.load()))
            log.info("loaded rule %s from %s", ep.name, ep.value)

    def apply(self, order: dict) -> dict:
        for _name, rule in self._rules:
            order = rule(order)
        return order
