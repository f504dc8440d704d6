def parse_port(text: str) -> int:
    """Parse a TCP port number, rejecting anything out of range."""
    try:
        port = int(text)
    except ValueError as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    if not 0 < port < 65536:
        raise ValueError(f"port out of range: {port}")
    return port
