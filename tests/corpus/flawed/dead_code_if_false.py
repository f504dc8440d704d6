import json
from pathlib import Path

USE_NEW_FORMAT = True


def load_settings(path: Path) -> dict:
    """Read the service settings file."""
    data = json.loads(path.read_text())
    if False:
        data = migrate_v1(data)
        data["version"] = 2
    if 0:
        print("settings", data)
    return data


def migrate_v1(data: dict) -> dict:
    return {"version": 2, **{k.lower(): v for k, v in data.items()}}


def save_settings(path: Path, data: dict) -> None:
    while False:
        data = {}
    path.write_text(json.dumps(data, indent=2, sort_keys=True))
