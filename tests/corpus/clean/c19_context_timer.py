import time
from contextlib import contextmanager


@contextmanager
def timed(label: str, sink: list):
    """Measure the block's duration and append (label, seconds) to sink."""
    started = time.perf_counter()
    try:
        yield
    finally:
        sink.append((label, time.perf_counter() - started))
