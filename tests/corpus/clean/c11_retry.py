import logging
import time

log = logging.getLogger(__name__)


def retry(operation, attempts: int = 3, delay_s: float = 0.5):
    """Call operation, retrying on ConnectionError with a fixed delay."""
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except ConnectionError:
            log.warning("attempt %d of %d failed", attempt, attempts)
            if attempt == attempts:
                raise
            time.sleep(delay_s)
