class Stack:
    """A last-in, first-out stack."""

    def __init__(self) -> None:
        self._items: list = []

    def push(self, item) -> None:
        """Put item on top."""
        self._items.append(item)

    def pop(self):
        """Remove and return the top item."""
        if not self._items:
            raise IndexError("pop from an empty stack")
        return self._items.pop()
