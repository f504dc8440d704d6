import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)
CURRENT_VERSION = 2


def migrate_v1(data: dict) -> dict:
    return {"version": 2, **{k.lower(): v for k, v in data.items() if k != "version"}}


def load_settings(path: Path) -> dict:
    """Read the service settings file, migrating old versions forward."""
    data = json.loads(path.read_text())
    if data.get("version", 1) < CURRENT_VERSION:
        log.warning("%s: migrating settings from version %s", path, data.get("version", 1))
        data = migrate_v1(data)
    return data


def save_settings(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
    tmp.replace(path)
