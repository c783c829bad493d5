"""Signing staff in and out, with back-off and lock-out, every attempt in the audit log.

Audit entries: ``auth.sign_in``, ``auth.sign_in_failed``, ``auth.locked_out`` and
``auth.sign_out``, each with the login as actor and the client address as target.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.auth import sessions
from server.auth.passwords import burn_time, hash_password, needs_rehash, verify_password
from server.auth.policy import SignInPolicy, retry_after_s
from server.registry import users
from server.registry.db import now_ms as clock_ms
from server.registry.models import AuditEntry, User
from server.registry.tokens import Principal

SIGN_IN = "auth.sign_in"
SIGN_IN_FAILED = "auth.sign_in_failed"
LOCKED_OUT = "auth.locked_out"
SIGN_OUT = "auth.sign_out"

REFUSED_MESSAGE = "ログイン名またはパスワードが違います / the login or the password is wrong"


@dataclass(frozen=True, slots=True)
class SignedIn:
    principal: Principal
    session_token: str  # goes into the cookie; only its SHA-256 is stored
    csrf_token: str


@dataclass(frozen=True, slots=True)
class Refused:
    message: str = REFUSED_MESSAGE  # the same for an unknown login and a wrong password


@dataclass(frozen=True, slots=True)
class LockedOut:
    retry_after_s: int

    @property
    def message(self) -> str:
        return (
            f"サインインの失敗が続いたため、{self.retry_after_s} 秒後にもう一度お試しください"
            f" / too many failed sign-ins: try again in {self.retry_after_s} s"
        )


def _audit(
    session: Session, now_ms: int, login: str, action: str, client: str, detail: str
) -> None:
    session.add(
        AuditEntry(at=now_ms, actor=login[:200], action=action, target=client[:200], detail=detail)
    )


def _client_wait_ms(session: Session, client: str, now_ms: int, policy: SignInPolicy) -> int:
    """How long this address must wait because of its failures over all accounts (0: none)."""
    since = now_ms - policy.client_window_s * 1000
    recent = (
        select(AuditEntry.at)
        .where(
            AuditEntry.action == SIGN_IN_FAILED,
            AuditEntry.target == client[:200],
            AuditEntry.at > since,
        )
        .order_by(AuditEntry.at.desc())
        .limit(policy.client_failures)
        .subquery()
    )
    count, oldest = session.execute(select(func.count(), func.min(recent.c.at))).one()
    if count < policy.client_failures:
        return 0
    return int(oldest) + policy.client_window_s * 1000 - now_ms


def _fail(
    session: Session,
    user: User | None,
    login: str,
    reason: str,
    *,
    client: str,
    now_ms: int,
    policy: SignInPolicy,
) -> Refused | LockedOut:
    _audit(session, now_ms, login, SIGN_IN_FAILED, client, reason)
    if user is None:
        return Refused()
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    lock_ms = policy.lock_ms(user.failed_sign_ins)
    if lock_ms is None:
        return Refused()
    user.locked_until = now_ms + lock_ms
    wait = retry_after_s(user.locked_until, now_ms)
    _audit(session, now_ms, login, LOCKED_OUT, client, f"{user.failed_sign_ins} failures; {wait} s")
    return LockedOut(wait)


def sign_in(
    session: Session,
    login: str,
    password: str,
    *,
    client: str,
    now_ms: int,
    policy: SignInPolicy | None = None,
) -> SignedIn | Refused | LockedOut:
    """Check a login and password; on success open a session.

    A locked account or address is refused without looking at the password. An unknown
    login costs as much time as a wrong password and gets the same answer.
    """
    policy = policy or SignInPolicy()
    login = login.strip()
    user = users.find(session, login) if login else None
    client_wait = _client_wait_ms(session, client, now_ms, policy)
    account_wait = 0 if user is None or user.locked_until is None else user.locked_until - now_ms
    if client_wait > 0 or account_wait > 0:
        wait = retry_after_s(now_ms + max(client_wait, account_wait), now_ms)
        why = "client" if client_wait >= account_wait else "account"
        _audit(session, now_ms, login, LOCKED_OUT, client, f"attempt while locked ({why})")
        return LockedOut(wait)
    if user is None or user.password_hash is None:
        burn_time(password)
        reason = "unknown login" if user is None else "no password set"
        return _fail(session, user, login, reason, client=client, now_ms=now_ms, policy=policy)
    if not verify_password(user.password_hash, password):
        return _fail(
            session, user, login, "wrong password", client=client, now_ms=now_ms, policy=policy
        )
    if user.disabled_at is not None:
        return _fail(session, user, login, "disabled", client=client, now_ms=now_ms, policy=policy)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now_ms
    sessions.purge_expired(session, now_ms=now_ms)
    token, csrf = sessions.open_session(
        session, user, client=client, now_ms=now_ms, lifetime_ms=policy.session_ms
    )
    _audit(session, now_ms, user.login, SIGN_IN, client, "")
    return SignedIn(sessions.principal_for(user, csrf), token, csrf)


def sign_out(
    session: Session, session_token: str, *, client: str = "", now_ms: int | None = None
) -> bool:
    """End the session; True when there was one. Audited as ``auth.sign_out``."""
    now_ms = clock_ms() if now_ms is None else now_ms
    user_id = sessions.close_session(session, session_token)
    if user_id is None:
        return False
    user = session.get(User, user_id)
    _audit(session, now_ms, user.login if user else str(user_id), SIGN_OUT, client, "")
    return True
