from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the time; tests pass a fake one."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def wait_until(clock: Clock, deadline: float, step_s: float = 0.05) -> bool:
    """Sleep in small steps until deadline; return False if it has already passed."""
    if clock.now() >= deadline:
        return False
    while clock.now() < deadline:
        clock.sleep(min(step_s, deadline - clock.now()))
    return True
