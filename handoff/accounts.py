"""Staff accounts: argon2id password hashes, roles, deactivation, login throttling."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.models import Role, User

HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD = 12
LOCK_AFTER = 5  # failed logins in a row before the account is locked for a while
LOCK_FOR = timedelta(minutes=15)
# before that, each failure after the first makes the next try wait longer: 2 s, 4 s, 8 s
SLOW_DOWN = timedelta(seconds=1)


class AccountError(ValueError):
    """A clear reason an account operation was refused."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> Optional[User]:
    """The account with this email (any case), or None."""
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(session: Session, email: str, role: Role, password: str, now: datetime) -> User:
    """Create an active account; the caller commits."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters")
    if find_user(session, email) is not None:
        raise AccountError(f"{email} already has an account")
    user = User(email=email, role=role, password_hash=HASHER.hash(password), is_active=True,
                failed_logins=0, created_at=now)
    session.add(user)
    return user


def deactivate(session: Session, email: str) -> User:
    """Stop an account from signing in; its history stays."""
    user = find_user(session, email)
    if user is None:
        raise AccountError(f"no account for {email}")
    user.is_active = False
    return user


def authenticate(session: Session, email: str, password: str, now: datetime) -> Optional[User]:
    """Return the user if the password is right and the account active and not locked."""
    user = find_user(session, email)
    if user is None:
        HASHER.hash(password)  # spend the same time as a real check, so emails cannot be probed
        return None
    if user.locked_until and user.locked_until > now:
        return None
    try:
        HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER:
            user.locked_until, user.failed_logins = now + LOCK_FOR, 0
        elif user.failed_logins > 1:
            user.locked_until = now + SLOW_DOWN * 2 ** (user.failed_logins - 1)
        return None
    if not user.is_active:
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    return user
