def can_edit(user, document, now):
    if user is not None:
        if user.active:
            if document.owner_id == user.id:
                return True
            else:
                if user.role == "admin":
                    return True
                else:
                    if user.role == "editor":
                        if document.locked:
                            if document.locked_by == user.id:
                                return True
                            else:
                                return False
                        else:
                            if document.published:
                                if now - document.published_at < 86400:
                                    return True
                                else:
                                    return False
                            else:
                                return True
                    else:
                        return False
        else:
            return False
    else:
        return False
