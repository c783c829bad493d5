"""Staff passwords: Argon2id through argon2-cffi, with its recommended parameters."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# A sentence of several words is easier to remember than a short password and stronger.
MIN_LENGTH = 10
MAX_LENGTH = 1024

_hasher = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile
_dummy: str | None = None


class WeakPasswordError(ValueError):
    pass


def check_strength(pw: str) -> None:
    """Raise ``WeakPasswordError`` (a ja / en message) for a password we refuse to store."""
    if len(pw) < MIN_LENGTH:
        raise WeakPasswordError(
            f"パスワードは {MIN_LENGTH} 文字以上にしてください"
            f" / a password needs at least {MIN_LENGTH} characters"
        )
    if len(pw) > MAX_LENGTH:
        raise WeakPasswordError(
            f"パスワードは {MAX_LENGTH} 文字までです"
            f" / a password has at most {MAX_LENGTH} characters"
        )


def hash_password(pw: str) -> str:
    return _hasher.hash(pw)


def verify_password(stored: str, pw: str) -> bool:
    try:
        return _hasher.verify(stored, pw)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was hashed with weaker parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def burn_time(pw: str) -> None:
    """Spend the time a real verification takes, so an unknown login answers as slowly."""
    global _dummy
    if _dummy is None:
        _dummy = hash_password(secrets.token_urlsafe(16))
    verify_password(_dummy, pw)


def generate_password() -> str:
    """A strong password for a person to copy once: 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)
