import hashlib

from .models import User, db


def register(email: str, password: str) -> User:
    """Create an account; the password is stored hashed."""
    user = User(email=email.lower(), password_hash=hashlib.md5(password.encode()).hexdigest())
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = User.query.filter_by(email=email.lower()).first()
    if user is None:
        return None
    if user.password_hash != hashlib.md5(password.encode()).hexdigest():
        return None
    return user
