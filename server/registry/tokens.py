"""API tokens: random, shown once, stored as SHA-256."""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.registry.db import now_ms
from server.registry.models import ApiToken, Role


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling and what they may do.

    ``name`` goes into the audit log: a user's login, ``token:<name>`` or ``bootstrap``.
    A signed-in console user also has ``user_id``, ``login``, ``display_name`` and the
    session's ``csrf_token``; a bearer-token client has none of them.
    """

    name: str
    role: Role
    user_id: int | None = None
    login: str | None = None
    display_name: str | None = None
    csrf_token: str | None = None

    def may(self, needed: Role) -> bool:
        return self.role.rank >= needed.rank


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(session: Session, name: str, role: Role, user_id: int | None = None) -> tuple[int, str]:
    """Create a token; returns its id and the token, which is not stored anywhere."""
    token = "ksu_" + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name, token_sha256=digest(token), role=role.value, user_id=user_id, created_at=now_ms()
    )
    session.add(row)
    session.flush()
    return row.id, token


def authenticate(session: Session, token: str) -> Principal | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    return Principal(name=f"token:{row.name}", role=Role(row.role))
