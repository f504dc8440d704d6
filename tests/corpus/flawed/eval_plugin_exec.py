import logging
from pathlib import Path

log = logging.getLogger(__name__)


class RuleEngine:
    """Runs the pricing rules that operators upload as small Python snippets."""

    def __init__(self, rules_dir: Path):
        self.rules_dir = rules_dir

    def load(self) -> dict[str, object]:
        namespace: dict[str, object] = {}
        for path in sorted(self.rules_dir.glob("*.rule")):
            source = path.read_text()
            exec(source, namespace)
            log.info("loaded rule %s", path.name)
        return namespace

    def apply(self, order: dict) -> dict:
        rules = self.load()
        for name, rule in rules.items():
            if callable(rule) and name.startswith("rule_"):
                order = rule(order)
        return order
