from collections import Counter


def top_words(text: str, n: int = 10) -> list[tuple[str, int]]:
    """Return the n most common lower-case words in text."""
    words = text.lower().split()
    return Counter(words).most_common(n)
