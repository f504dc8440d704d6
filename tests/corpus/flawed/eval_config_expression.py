import sys


def parse_setting(raw: str):
    """Turn a command-line setting such as 'retries=3' or 'hosts=["a","b"]' into a pair."""
    key, _, value = raw.partition("=")
    return key.strip(), eval(value)


def main(argv: list[str]) -> dict:
    settings = dict(parse_setting(arg) for arg in argv[1:])
    return settings


if __name__ == "__main__":
    for k, v in main(sys.argv).items():
        sys.stdout.write(f"{k} = {v!r}\n")
