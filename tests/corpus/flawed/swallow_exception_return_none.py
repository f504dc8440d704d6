import json
from pathlib import Path


class ProfileStore:
    """User profiles kept as one JSON file each."""

    def __init__(self, root: Path):
        self.root = root

    def load(self, user_id: str) -> dict | None:
        try:
            return json.loads((self.root / f"{user_id}.json").read_text())
        except Exception:
            return None

    def save(self, user_id: str, profile: dict) -> None:
        try:
            path = self.root / f"{user_id}.json"
            path.write_text(json.dumps(profile, indent=2))
        except Exception as e:
            pass

    def delete(self, user_id: str) -> None:
        (self.root / f"{user_id}.json").unlink(missing_ok=True)
