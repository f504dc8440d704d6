import ast


def parse_literal(text: str):
    """Parse a Python literal safely (no code execution)."""
    return ast.literal_eval(text)
