import socket
import time


def port_open(host: str, port: int, timeout_s: float = 2.0) -> bool:
    """Whether a TCP connection to host:port succeeds."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout_s)
    try:
        s.connect((host, port))
        return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, deadline_s: float = 30.0) -> None:
    start = time.monotonic()
    while not port_open(host, port):
        if time.monotonic() - start > deadline_s:
            raise TimeoutError(f"{host}:{port} did not open within {deadline_s}s")
        time.sleep(0.5)
