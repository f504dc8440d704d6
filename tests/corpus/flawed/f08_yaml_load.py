import yaml


def load_settings(text):
    return yaml.load(text)
