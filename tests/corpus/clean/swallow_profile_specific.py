import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)


class CorruptProfile(ValueError):
    """A stored profile is not valid JSON."""


class ProfileStore:
    """User profiles kept as one JSON file each."""

    def __init__(self, root: Path):
        self.root = root

    def load(self, user_id: str) -> dict | None:
        path = self.root / f"{user_id}.json"
        try:
            text = path.read_text()
        except FileNotFoundError:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CorruptProfile(f"{path}: {exc}") from exc

    def save(self, user_id: str, profile: dict) -> None:
        path = self.root / f"{user_id}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(profile, indent=2))
        tmp.replace(path)

    def delete(self, user_id: str) -> None:
        (self.root / f"{user_id}.json").unlink(missing_ok=True)
