from werkzeug.security import check_password_hash, generate_password_hash

from .models import User, db


def register(email: str, password: str) -> User:
    """Create an account; the password is stored as a salted scrypt hash."""
    user = User(email=email.lower(), password_hash=generate_password_hash(password, method="scrypt"))
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = User.query.filter_by(email=email.lower()).first()
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return user
