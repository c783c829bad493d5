"""Areas and staff users: the registry's directory."""

from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from server.api.deps import Admin, Reader, SessionDep, Staff
from server.api.schemas import IdInPath, StationId, jst, jst_or_none
from server.registry.db import now_ms
from server.registry.models import Area, Role, User
from server.registry.stations import audit

router = APIRouter(prefix="/api/v1", tags=["directory"])


class AreaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: StationId
    name_ja: Annotated[str, Field(min_length=1, max_length=200)]
    name_en: Annotated[str, Field(max_length=200)] | None = None


class AreaOut(BaseModel):
    id: str
    name_ja: str
    name_en: str | None


@router.get("/areas")
def list_areas(_: Reader, session: SessionDep) -> list[AreaOut]:
    rows = session.scalars(select(Area).order_by(Area.id))
    return [AreaOut(id=a.id, name_ja=a.name_ja, name_en=a.name_en) for a in rows]


@router.put("/areas/{area_id}", summary="Create or rename an area")
def put_area(area_id: IdInPath, body: AreaIn, who: Staff, session: SessionDep) -> AreaOut:
    if body.id != area_id:
        raise HTTPException(422, "URL と本文の id が違います / the id in the URL and body differ")
    area = session.get(Area, area_id) or Area(id=area_id, name_ja=body.name_ja)
    area.name_ja, area.name_en = body.name_ja, body.name_en
    session.add(area)
    audit(session, who.name, "area.put", area_id)
    return AreaOut(id=area.id, name_ja=area.name_ja, name_en=area.name_en)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: Annotated[str, Field(pattern=r"^[A-Za-z0-9._@-]{1,120}$")]
    display_name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role = Role.STAFF


class UserOut(BaseModel):
    id: int
    login: str
    display_name: str
    role: Role
    created_at: str
    disabled_at: str | None


def user_out(user: User) -> UserOut:
    disabled = jst_or_none(user.disabled_at)
    return UserOut(
        id=user.id,
        login=user.login,
        display_name=user.display_name,
        role=Role(user.role),
        created_at=jst(user.created_at).isoformat(),
        disabled_at=None if disabled is None else disabled.isoformat(),
    )


@router.post("/users", status_code=201, summary="Add a staff user with a role")
def add_user(body: UserIn, who: Admin, session: SessionDep) -> UserOut:
    if session.scalar(select(User).where(User.login == body.login)) is not None:
        raise HTTPException(409, f"{body.login!r} は登録済みです / {body.login!r} exists")
    user = User(
        login=body.login, display_name=body.display_name, role=body.role.value, created_at=now_ms()
    )
    session.add(user)
    session.flush()
    audit(session, who.name, "user.add", body.login, body.role.value)
    return user_out(user)


@router.get("/users")
def list_users(_: Admin, session: SessionDep) -> list[UserOut]:
    return [user_out(u) for u in session.scalars(select(User).order_by(User.id))]
