import yaml


def load_settings(text: str) -> dict:
    """Parse YAML settings with the safe loader."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise TypeError("settings must be a mapping")
    return data
