import logging

from .models import Reading
from .repository import ReadingRepository

log = logging.getLogger(__name__)


def import_readings(repo: ReadingRepository, rows: list[dict]) -> int:
    """Store the meter readings of one upload; return how many were stored."""
    stored = 0
    for row in rows:
        r = Reading(
            meter_id=row["meter"],
            taken_at=row["timestamp"],
            kwh=float(row["value"]),
        )
        try:
            repo.save(r)
            stored += 1
        except:
            pass
    log.info("imported %d of %d readings", stored, len(rows))
    return stored
