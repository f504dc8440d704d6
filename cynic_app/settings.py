"""Environment variables, read strictly: one parser per kind of value.

Every parser either returns a valid value or raises ConfigError whose message is one line that
names the variable and says what it accepts; start-up prints that line and exits 3. A value is
never silently reinterpreted: ``CYNIC_PROTECT_READS=maybe`` is refused, not read as false.
Unset and empty mean "the default" everywhere.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping

_HOST_NAME_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class ConfigError(ValueError):
    """A setting has a value the service cannot run with."""


def _raw(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    return None if raw is None or raw.strip() == "" else raw.strip()


def boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    """1/0, true/false, yes/no, on/off in any case; anything else is refused."""
    raw = _raw(env, name)
    if raw is None:
        return default
    word = raw.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def integer(env: Mapping[str, str], name: str, default: int, *, low: int, high: int | None = None) -> int:
    raw = _raw(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if value < low:
        raise ConfigError(f"{name}={value} is below the minimum {low}")
    if high is not None and value > high:
        raise ConfigError(f"{name}={value} is above the maximum {high}")
    return value


def seconds(env: Mapping[str, str], name: str, default: float, *, low: float, high: float) -> float:
    """A duration in seconds (decimals allowed), low ≤ value ≤ high."""
    raw = _raw(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number of seconds") from None
    if not low <= value <= high:  # also refuses nan and inf
        raise ConfigError(f"{name}={raw} is outside {low:g} to {high:g} seconds")
    return value


def choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of choices, matched in any case; returned as spelled in choices."""
    raw = _raw(env, name)
    if raw is None:
        return default
    for option in choices:
        if raw.lower() == option.lower():
            return option
    raise ConfigError(f"{name}={raw!r} is not one of {', '.join(choices)}")


def writable_directory(env: Mapping[str, str], name: str) -> str | None:
    """An existing directory this process can write in, or None when unset."""
    raw = _raw(env, name)
    if raw is None:
        return None
    if not (os.path.isdir(raw) and os.access(raw, os.W_OK | os.X_OK)):
        raise ConfigError(f"{name}={raw!r} is not a writable directory")
    return raw


def address(env: Mapping[str, str], name: str, default: str) -> str:
    """A TCP listen address: ``host:port``, ``[v6]:port`` or ``unix:/path``; checked, not resolved."""
    raw = _raw(env, name)
    if raw is None:
        return default
    if raw.startswith("unix:"):
        if not raw[len("unix:") :].startswith("/"):
            raise ConfigError(f"{name}={raw!r}: a unix socket needs an absolute path (unix:/run/cynic.sock)")
        return raw
    host, sep, port = raw.rpartition(":")
    if not sep or not host:
        raise ConfigError(f"{name}={raw!r} is not host:port (e.g. 0.0.0.0:8000 or [::]:8000)")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            raise ConfigError(f"{name}={raw!r}: {host} is not an IPv6 address") from None
    elif any(c in host for c in " /[]:"):
        raise ConfigError(f"{name}={raw!r}: {host!r} is not a host name or address")
    _port(name, raw, port)
    return raw


def _port(name: str, raw: str, port: str) -> int:
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigError(f"{name}={raw!r}: the port must be 1 to 65535")
    return int(port)


def host_names(env: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    """Comma-separated host names or addresses without a port (``[v6]`` in brackets), lower-cased;
    ``*`` alone for any host. None when unset."""
    raw = _raw(env, name)
    if raw is None:
        return None
    entries = [entry.strip().lower().rstrip(".") for entry in raw.split(",")]
    if entries == ["*"]:
        return ("*",)
    for entry in entries:
        if entry.startswith("["):
            try:
                ipaddress.IPv6Address(entry[1:-1] if entry.endswith("]") else "-")
            except ValueError:
                raise ConfigError(f"{name}={raw!r}: {entry!r} is not an IPv6 address in brackets") from None
        elif not _HOST_NAME_RE.match(entry):
            raise ConfigError(
                f"{name}={raw!r}: {entry!r} is not a host name or address (no scheme, no port; "
                "any port is accepted), or * for any host"
            )
    return tuple(entries)


def is_loopback_bind(bind: str) -> bool:
    """Does a listen address (as ``address`` accepts it) listen on loopback only?"""
    if bind.startswith("unix:"):
        return False
    host = bind.rpartition(":")[0].strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: whatever it resolves to, it is not known to be loopback
