import json


def read_config(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except:
        pass
