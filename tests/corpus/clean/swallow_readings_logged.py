import logging

from .models import Reading
from .repository import DuplicateReading, ReadingRepository

log = logging.getLogger(__name__)


def import_readings(repo: ReadingRepository, rows: list[dict]) -> int:
    """Store the meter readings of one upload; duplicates are skipped, anything else stops it."""
    stored = 0
    for row in rows:
        r = Reading(
            meter_id=row["meter"],
            taken_at=row["timestamp"],
            kwh=float(row["value"]),
        )
        try:
            repo.save(r)
        except DuplicateReading:
            log.warning("reading %s/%s already stored; skipped", r.meter_id, r.taken_at)
            continue
        stored += 1
    log.info("imported %d of %d readings", stored, len(rows))
    return stored
