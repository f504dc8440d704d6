import socket
import ssl


def fetch_banner(host: str, port: int = 993, timeout_s: float = 5.0) -> str:
    """Connect over TLS and return the server's greeting line."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=timeout_s) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return tls.recv(1024).decode("ascii", "replace").strip()
