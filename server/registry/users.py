"""Staff users in the registry: create, list, change role or name, disable, set a password.

Every change is audited. Disabling a user or changing their password ends their console
sessions; the last enabled admin can be neither disabled nor demoted.
"""

import re

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.auth.passwords import check_strength, hash_password
from server.registry.db import now_ms
from server.registry.models import Role, StaffSession, User
from server.registry.stations import audit

# What a login may be: an e-mail address or a short name, no spaces.
LOGIN_PATTERN = r"^[A-Za-z0-9._@-]{1,120}$"


class UserError(ValueError):
    """A change the registry refuses: ``code`` for the API, a ja / en message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def find(session: Session, login: str) -> User | None:
    """The user with this login, ignoring case (``Sato@ward`` is ``sato@ward``)."""
    wanted = login.strip().lower()
    return session.scalar(select(User).where(func.lower(User.login) == wanted))


def get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserError("not_found", f"ユーザー {user_id} はいません / no user {user_id}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def create(
    session: Session,
    login: str,
    display_name: str,
    role: Role,
    *,
    actor: str,
    password: str | None = None,
) -> User:
    if not re.fullmatch(LOGIN_PATTERN, login):
        raise UserError(
            "invalid_login",
            "ログイン名は英数字と . _ @ - で 120 文字まで"
            f" / a login is letters, digits and . _ @ - (at most 120): {login!r}",
        )
    if find(session, login) is not None:
        raise UserError("conflict", f"{login!r} は登録済みです / {login!r} exists")
    if password is not None:
        check_strength(password)
    user = User(
        login=login,
        display_name=display_name,
        role=role.value,
        created_at=now_ms(),
        failed_sign_ins=0,
        password_hash=None if password is None else hash_password(password),
    )
    session.add(user)
    session.flush()
    audit(session, actor, "user.add", login, role.value)
    return user


def end_sessions(session: Session, user_id: int) -> int:
    """Sign the user out everywhere; returns how many sessions ended."""
    ended = session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
    return int(getattr(ended, "rowcount", 0) or 0)


def set_password(session: Session, user: User, password: str, *, actor: str) -> None:
    check_strength(password)
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    end_sessions(session, user.id)
    audit(session, actor, "user.password", user.login)


def _enabled_admins(session: Session) -> int:
    query = select(func.count()).where(User.role == Role.ADMIN.value, User.disabled_at.is_(None))
    return int(session.scalar(query) or 0)


def _keep_an_admin(session: Session, user: User) -> None:
    if user.role == Role.ADMIN.value and user.disabled_at is None and _enabled_admins(session) <= 1:
        raise UserError(
            "last_admin",
            "最後の管理者は無効にも降格にもできません / the last admin can be neither disabled"
            " nor demoted",
        )


def set_role(session: Session, user: User, role: Role, *, actor: str) -> None:
    if user.role == role.value:
        return
    if role is not Role.ADMIN:
        _keep_an_admin(session, user)
    audit(session, actor, "user.role", user.login, f"{user.role} → {role.value}")
    user.role = role.value


def set_disabled(session: Session, user: User, disabled: bool, *, actor: str) -> None:
    if disabled == (user.disabled_at is not None):
        return
    if disabled:
        _keep_an_admin(session, user)
        user.disabled_at = now_ms()
        end_sessions(session, user.id)
        audit(session, actor, "user.disable", user.login)
    else:
        user.disabled_at = None
        user.failed_sign_ins = 0
        user.locked_until = None
        audit(session, actor, "user.enable", user.login)


def unlock(session: Session, user: User, *, actor: str) -> None:
    """Lift a lock-out before it ends by itself (the password stays)."""
    if user.locked_until is None and not user.failed_sign_ins:
        return
    user.failed_sign_ins = 0
    user.locked_until = None
    audit(session, actor, "user.unlock", user.login)


def set_display_name(session: Session, user: User, name: str, *, actor: str) -> None:
    if user.display_name != name:
        user.display_name = name
        audit(session, actor, "user.rename", user.login, name)
