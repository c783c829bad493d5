"""Staff users and their roles: admin only, every change audited."""

from typing import Annotated, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from server.api.deps import Admin, SessionDep
from server.api.errors import CodedError
from server.api.schemas import RowIdInPath, jst, jst_or_none
from server.auth.passwords import MAX_LENGTH, WeakPasswordError
from server.registry import users
from server.registry.models import Role, User
from server.registry.users import LOGIN_PATTERN

router = APIRouter(prefix="/api/v1", tags=["users"])

Password = Annotated[str, Field(min_length=1, max_length=MAX_LENGTH)]
_STATUS = {"not_found": 404, "conflict": 409, "last_admin": 409, "invalid_login": 422}


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: Annotated[str, Field(pattern=LOGIN_PATTERN)]
    display_name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role = Role.STAFF
    # Without one the user cannot sign in until an admin sets a password.
    password: Password | None = None


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role | None = None
    disabled: StrictBool | None = None
    display_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    locked: Literal[False] | None = None  # false: lift a lock-out now

    @field_validator("locked", mode="before")
    @classmethod
    def _only_false(cls, value: object) -> object:
        # JSON false only: 0 equals False in Python, but the document says boolean.
        if value is not None and value is not False:
            raise ValueError("locked は false だけです / locked takes only false")
        return value


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: Password


class UserOut(BaseModel):
    id: int
    login: str
    display_name: str
    role: Role
    created_at: str
    disabled_at: str | None
    has_password: bool
    last_sign_in_at: str | None
    locked_until: str | None


def _iso(ms: int | None) -> str | None:
    shown = jst_or_none(ms)
    return None if shown is None else shown.isoformat()


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        login=user.login,
        display_name=user.display_name,
        role=Role(user.role),
        created_at=jst(user.created_at).isoformat(),
        disabled_at=_iso(user.disabled_at),
        has_password=user.password_hash is not None,
        last_sign_in_at=_iso(user.last_sign_in_at),
        locked_until=_iso(user.locked_until),
    )


def refused(exc: users.UserError | WeakPasswordError) -> CodedError:
    if isinstance(exc, WeakPasswordError):
        return CodedError(422, "weak_password", str(exc))
    return CodedError(_STATUS.get(exc.code, 409), exc.code, exc.message)


@router.post("/users", status_code=201, summary="Add a staff user with a role")
def add_user(body: UserIn, who: Admin, session: SessionDep) -> UserOut:
    try:
        user = users.create(
            session,
            body.login,
            body.display_name,
            body.role,
            actor=who.name,
            password=body.password,
        )
    except (users.UserError, WeakPasswordError) as exc:
        raise refused(exc) from exc
    return user_out(user)


@router.get("/users")
def list_users(_: Admin, session: SessionDep) -> list[UserOut]:
    return [user_out(u) for u in users.list_users(session)]


@router.patch("/users/{user_id}", summary="Change a user's role or name, disable or enable them")
def change_user(user_id: RowIdInPath, body: UserPatch, who: Admin, session: SessionDep) -> UserOut:
    """Disabling a user ends their console sessions at once."""
    try:
        user = users.get(session, user_id)
        if body.display_name is not None:
            users.set_display_name(session, user, body.display_name, actor=who.name)
        if body.role is not None:
            users.set_role(session, user, body.role, actor=who.name)
        if body.disabled is not None:
            users.set_disabled(session, user, body.disabled, actor=who.name)
        if body.locked is False:
            users.unlock(session, user, actor=who.name)
    except users.UserError as exc:  # the session rolls back: no part of the change stays
        raise refused(exc) from exc
    return user_out(user)


@router.post(
    "/users/{user_id}/password",
    status_code=204,
    summary="Set a user's password: ends their sessions and lifts a lock-out",
)
def set_password(
    user_id: RowIdInPath, body: PasswordIn, who: Admin, session: SessionDep
) -> Response:
    try:
        users.set_password(session, users.get(session, user_id), body.password, actor=who.name)
    except (users.UserError, WeakPasswordError) as exc:
        raise refused(exc) from exc
    return Response(status_code=204)
