from collections.abc import Iterator, Sequence


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    """Yield consecutive slices of items, each at most size long."""
    if size <= 0:
        raise ValueError("size must be positive")
    for start in range(0, len(items), size):
        yield items[start:start + size]
