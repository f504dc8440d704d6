import subprocess
from collections.abc import Iterator


class LogFollower:
    """Follows a log file with tail -F and hands out its lines; tail is always reaped."""

    def __init__(self, path: str):
        self.path = path

    def lines(self, limit: int) -> Iterator[str]:
        with subprocess.Popen(["tail", "-F", self.path], stdout=subprocess.PIPE, text=True) as proc:
            try:
                for n, line in enumerate(proc.stdout):
                    if n >= limit:
                        return
                    yield line.rstrip("\n")
            finally:
                proc.terminate()


def first_error(path: str) -> str | None:
    for line in LogFollower(path).lines(10_000):
        if "ERROR" in line:
            return line
    return None
