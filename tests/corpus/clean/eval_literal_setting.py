import ast
import sys


def parse_setting(raw: str) -> tuple[str, object]:
    """Turn 'retries=3' or 'hosts=["a","b"]' into a pair; values are Python literals only."""
    key, sep, value = raw.partition("=")
    if not sep:
        raise ValueError(f"expected key=value, got {raw!r}")
    try:
        return key.strip(), ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        return key.strip(), value.strip()


def main(argv: list[str]) -> dict:
    return dict(parse_setting(arg) for arg in argv[1:])


if __name__ == "__main__":
    for k, v in main(sys.argv).items():
        sys.stdout.write(f"{k} = {v!r}\n")
