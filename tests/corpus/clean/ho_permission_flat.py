EDIT_WINDOW_S = 86_400


def can_edit(user, document, now: float) -> bool:
    """Owners and admins may always edit; editors may edit unlocked drafts, documents they
    locked themselves, and published documents for a day after publication."""
    if user is None or not user.active:
        return False
    if document.owner_id == user.id or user.role == "admin":
        return True
    if user.role != "editor":
        return False
    if document.locked:
        return document.locked_by == user.id
    if document.published:
        return now - document.published_at < EDIT_WINDOW_S
    return True
