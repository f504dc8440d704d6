import json
from pathlib import Path


def read_config(path: Path) -> dict:
    """Load a JSON configuration file, failing loudly when it is missing."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)
