"""Signing in with a password: sessions, back-off and lock-out, and the audit log."""

from sqlalchemy import select

from server.auth import sessions
from server.auth.passwords import hash_password, needs_rehash, verify_password
from server.auth.policy import SignInPolicy
from server.auth.signin import LockedOut, Refused, SignedIn, sign_in, sign_out
from server.registry import users
from server.registry.db import Registry
from server.registry.models import AuditEntry, Role, User
from tests.auth.helpers import PASSWORD, T0

POLICY = SignInPolicy(lockout_after=3, lockout_s=60, lockout_max_s=600, client_failures=10)


def audit_trail(registry: Registry) -> list[tuple[str, str, str]]:
    with registry.session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action.like("auth.%")))
        return [(r.action, r.actor, r.target) for r in rows.all()]


def attempt(
    registry: Registry, login: str, password: str, at: int, client: str = "10.0.0.5"
) -> SignedIn | Refused | LockedOut:
    with registry.session() as session:
        return sign_in(session, login, password, client=client, now_ms=at, policy=POLICY)


def test_a_password_is_stored_as_argon2id_and_checked() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106's second choice
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)
    assert not needs_rehash(stored)


def test_the_right_password_opens_a_session_and_is_audited(people: Registry) -> None:
    result = attempt(people, "Sato", PASSWORD, T0)  # logins ignore case
    assert isinstance(result, SignedIn)
    assert result.principal.login == "sato"
    assert result.principal.role is Role.STAFF
    assert result.csrf_token
    assert result.csrf_token != result.session_token
    with people.session() as session:
        who = sessions.resolve(session, result.session_token, now_ms=T0 + 1000)
        assert who is not None
        assert (who.name, who.csrf_token) == ("sato", result.csrf_token)
        user = users.find(session, "sato")
        assert user is not None
        assert user.last_sign_in_at == T0
    assert audit_trail(people) == [("auth.sign_in", "sato", "10.0.0.5")]


def test_a_wrong_password_and_an_unknown_login_get_the_same_answer(people: Registry) -> None:
    wrong = attempt(people, "sato", "not the password", T0)
    unknown = attempt(people, "nobody", PASSWORD, T0)
    assert isinstance(wrong, Refused)
    assert wrong == unknown
    assert "パスワード" in wrong.message
    assert "password" in wrong.message
    assert audit_trail(people) == [
        ("auth.sign_in_failed", "sato", "10.0.0.5"),
        ("auth.sign_in_failed", "nobody", "10.0.0.5"),
    ]


def test_repeated_failures_lock_the_account_and_it_opens_again_later(people: Registry) -> None:
    assert isinstance(attempt(people, "sato", "guess-1", T0), Refused)
    assert isinstance(attempt(people, "sato", "guess-2", T0 + 1000), Refused)
    locked = attempt(people, "sato", "guess-3", T0 + 2000)
    assert locked == LockedOut(60)
    # While locked even the right password is refused, without a new failure counted.
    assert attempt(people, "sato", PASSWORD, T0 + 31_000) == LockedOut(31)
    # Another account is not affected.
    assert isinstance(attempt(people, "kato", PASSWORD, T0 + 31_000), SignedIn)
    assert isinstance(attempt(people, "sato", PASSWORD, T0 + 62_000), SignedIn)
    actions = [a for a, _, _ in audit_trail(people)]
    assert actions.count("auth.locked_out") == 2
    # The right password reset the count: three more failures are needed for a new lock.
    assert isinstance(attempt(people, "sato", "guess-4", T0 + 63_000), Refused)


def test_each_failure_after_a_lock_doubles_the_wait(people: Registry) -> None:
    for i in range(3):
        attempt(people, "ito", f"guess-{i}", T0 + i)
    assert attempt(people, "ito", "guess-4", T0 + 61_000) == LockedOut(120)
    assert attempt(people, "ito", "guess-5", T0 + 182_000) == LockedOut(240)


def test_one_address_guessing_many_accounts_is_made_to_wait(people: Registry) -> None:
    for i in range(10):
        assert isinstance(attempt(people, f"user{i}", "guess", T0 + i * 1000), Refused)
    waiting = attempt(people, "kato", PASSWORD, T0 + 10_000)
    assert waiting == LockedOut(900 - 10)
    assert isinstance(attempt(people, "kato", PASSWORD, T0 + 10_000, "10.0.0.6"), SignedIn)
    assert isinstance(attempt(people, "kato", PASSWORD, T0 + 901_000), SignedIn)


def test_a_disabled_user_cannot_sign_in_and_loses_their_sessions(people: Registry) -> None:
    signed = attempt(people, "sato", PASSWORD, T0)
    assert isinstance(signed, SignedIn)
    with people.session() as session:
        user = users.find(session, "sato")
        assert user is not None
        users.set_disabled(session, user, True, actor="kato")
    with people.session() as session:
        assert sessions.resolve(session, signed.session_token, now_ms=T0 + 1) is None
    assert isinstance(attempt(people, "sato", PASSWORD, T0 + 2), Refused)


def test_a_session_ends_at_sign_out_or_when_it_expires(people: Registry) -> None:
    first = attempt(people, "kato", PASSWORD, T0)
    second = attempt(people, "kato", PASSWORD, T0)
    assert isinstance(first, SignedIn)
    assert isinstance(second, SignedIn)
    with people.session() as session:
        assert sign_out(session, first.session_token, client="10.0.0.5", now_ms=T0 + 5)
        assert not sign_out(session, first.session_token, now_ms=T0 + 6)
    with people.session() as session:
        assert sessions.resolve(session, first.session_token, now_ms=T0 + 10) is None
        assert sessions.resolve(session, second.session_token, now_ms=T0 + 10) is not None
        expiry = T0 + POLICY.session_ms
        assert sessions.resolve(session, second.session_token, now_ms=expiry) is None
    assert ("auth.sign_out", "kato", "10.0.0.5") in audit_trail(people)


def test_a_user_without_a_password_cannot_sign_in(people: Registry) -> None:
    with people.session() as session:
        users.create(session, "new", "New", Role.STAFF, actor="kato")
    assert isinstance(attempt(people, "new", "", T0), Refused)
    with people.session() as session:
        row = session.scalar(select(User).where(User.login == "new"))
        assert row is not None
        assert row.password_hash is None
