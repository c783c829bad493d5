"""Console sessions in the registry: a random token in the cookie, its SHA-256 in the table.

Each session has its own CSRF secret, which pages put into forms and ``X-CSRF-Token``.
"""

import secrets

from sqlalchemy import delete
from sqlalchemy.orm import Session

from server.registry.models import Role, StaffSession, User
from server.registry.tokens import Principal, digest

# last_seen_at is written at most this often per session, not on every request.
_SEEN_EVERY_MS = 60_000


def open_session(
    session: Session, user: User, *, client: str, now_ms: int, lifetime_ms: int
) -> tuple[str, str]:
    """Create a session for ``user``; returns the cookie token and the CSRF token."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_sha256=digest(token),
            user_id=user.id,
            created_at=now_ms,
            last_seen_at=now_ms,
            expires_at=now_ms + lifetime_ms,
            csrf_secret=csrf,
            client=client[:64],
        )
    )
    return token, csrf


def principal_for(user: User, csrf_token: str | None) -> Principal:
    return Principal(
        name=user.login,
        role=Role(user.role),
        user_id=user.id,
        login=user.login,
        display_name=user.display_name,
        csrf_token=csrf_token,
    )


def resolve(session: Session, token: str, *, now_ms: int) -> Principal | None:
    """Who holds this session token, or None when it is unknown, expired or its user disabled.

    The role is the user's current one, so a change of role takes effect at once.
    """
    if not token or len(token) > 200:
        return None
    row = session.get(StaffSession, digest(token))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if row.expires_at <= now_ms or user is None or user.disabled_at is not None:
        session.delete(row)
        return None
    if now_ms - row.last_seen_at >= _SEEN_EVERY_MS:
        row.last_seen_at = now_ms
    return principal_for(user, row.csrf_secret)


def close_session(session: Session, token: str) -> int | None:
    """End one session; returns its user's id, or None when there was no such session."""
    row = session.get(StaffSession, digest(token))
    if row is None:
        return None
    session.delete(row)
    return row.user_id


def purge_expired(session: Session, *, now_ms: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.expires_at <= now_ms))
