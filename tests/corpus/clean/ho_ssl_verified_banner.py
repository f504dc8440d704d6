import socket
import ssl


def fetch_banner(host: str, port: int = 993, timeout_s: float = 5.0) -> str:
    """Connect over verified TLS and return the server's greeting line."""
    context = ssl.create_default_context()
    with socket.create_connection((host, port), timeout=timeout_s) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return tls.recv(1024).decode("ascii", "replace").strip()
