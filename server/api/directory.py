"""Areas of the ward: the registry's directory (staff users: ``server.api.users``)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from server.api.deps import Reader, SessionDep, Staff
from server.api.schemas import IdInPath, StationId
from server.api.users import UserIn, UserOut, user_out  # their home now; still importable here
from server.registry.models import Area
from server.registry.stations import audit

__all__ = ["AreaIn", "AreaOut", "UserIn", "UserOut", "router", "user_out"]

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
