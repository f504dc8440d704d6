import logging

from django.db import connection

log = logging.getLogger(__name__)


def deactivate_users(emails: list[str]) -> int:
    """Deactivate every account whose email is in emails; return how many changed."""
    if not emails:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE auth_user SET is_active = false WHERE email = ANY(%s)",
            [emails],
        )
        changed = cursor.rowcount
    log.info("deactivated %d accounts", changed)
    return changed
