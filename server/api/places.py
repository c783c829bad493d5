"""Places to cool down that staff keep: water stations, cooling shelters and まちの縁側
benches. Every change publishes the scope's whole list again, signed and retained."""

import logging
from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from contract.content import KioskLang
from contract.languages import KIOSK_LANGS
from contract.places import Hours, Offer, PlaceKind
from server.api.deps import Reader, RegistryDep, SessionDep, Staff
from server.api.errors import CodedError
from server.api.notice_schemas import Target
from server.api.notices import publisher_of
from server.api.schemas import IdInPath, StationId, jst
from server.publish import ContentPublisher, PublishError
from server.registry.db import Registry, now_ms
from server.registry.models import PlaceRow
from server.registry.notices import target_known
from server.registry.places import list_places, next_list, topic_for
from server.registry.stations import audit

router = APIRouter(prefix="/api/v1/places", tags=["places"])
log = logging.getLogger("kyusui.api.places")

PlaceNames = Annotated[
    dict[KioskLang, Annotated[str, Field(min_length=1, max_length=200)]],
    Field(description="{言語: 名前} — キオスクの全言語 / every kiosk language"),
]


class PlaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: Target = Field(default_factory=Target, description="which stations list it")
    kind: PlaceKind
    name: PlaceNames
    latitude: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    longitude: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    address: Annotated[str, Field(max_length=200)] | None = None
    hours: Hours = Field(default_factory=Hours, description="JST; see docs/protocol.md §6.5")
    offers: Annotated[list[Offer], Field(max_length=len(Offer))] = []

    @model_validator(mode="after")
    def _every_language(self) -> Self:
        missing = [lang for lang in KIOSK_LANGS if lang not in self.name]
        if missing:
            raise ValueError(f"name: a name is needed in every kiosk language; missing {missing}")
        if len(set(self.offers)) != len(self.offers):
            raise ValueError("offers: an offer is listed twice")
        return self


class PlaceNew(PlaceIn):
    id: StationId = Field(description="lowercase letters, digits and '-'")


class PlaceOut(PlaceNew):
    topic: str
    updated_at: datetime
    updated_by: str


def place_out(row: PlaceRow) -> PlaceOut:
    return PlaceOut.model_validate(
        {
            "id": row.id,
            "target": Target.of(row.scope),
            "kind": row.kind,
            "name": row.name,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "address": row.address,
            "hours": row.hours,
            "offers": row.offers,
            "topic": topic_for(row.scope),
            "updated_at": jst(row.updated_at),
            "updated_by": row.updated_by,
        }
    )


def apply(row: PlaceRow, body: PlaceIn, who: str, stamp: int) -> None:
    row.scope, row.kind = body.target.key, body.kind.value
    row.name = {str(lang): text for lang, text in body.name.items()}
    row.latitude, row.longitude, row.address = body.latitude, body.longitude, body.address
    row.hours = body.hours.model_dump(mode="json")
    row.offers = [o.value for o in body.offers]
    row.updated_at, row.updated_by = stamp, who


def check_target(session: Session, target: Target) -> None:
    if not target_known(session, target.key):
        raise HTTPException(
            422,
            f"target: 登録されていない対象です / unknown {target.scope.value} {target.id!r}",
        )


def publish(publisher: ContentPublisher, session: Session, scopes: set[str], stamp: int) -> None:
    """Publish each scope's list again; an unconfirmed publication stores nothing."""
    session.flush()
    for key in sorted(scopes):
        content = next_list(session, key, stamp)
        try:
            publisher.publish(topic_for(key), content)
        except PublishError as exc:
            log.error("places of %s v%d not published: %s", key, content.version, exc)
            raise CodedError(
                503,
                "publish_failed",
                "ブローカーが配信を確認しませんでした。保存していません。もう一度送ってください / "
                f"the broker did not confirm the publication; nothing was saved: {exc}",
            ) from exc


def found(session: Session, place_id: str) -> PlaceRow:
    row = session.get(PlaceRow, place_id, with_for_update=True)
    if row is None:
        raise HTTPException(404, f"場所 {place_id!r} はありません / no place {place_id!r}")
    return row


@router.get("", summary="Places, by scope and id")
def get_places(
    _: Reader,
    session: SessionDep,
    target: Annotated[
        str | None,
        Query(pattern=r"^(all|(area|st):[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)$"),
    ] = None,
) -> list[PlaceOut]:
    return [place_out(row) for row in list_places(session, target)]


@router.get("/{place_id}", summary="One place")
def get_place(place_id: IdInPath, _: Reader, session: SessionDep) -> PlaceOut:
    row = session.get(PlaceRow, place_id)
    if row is None:
        raise HTTPException(404, f"場所 {place_id!r} はありません / no place {place_id!r}")
    return place_out(row)


def add_place(
    registry: Registry, publisher: ContentPublisher, who: str, body: PlaceNew
) -> PlaceOut:
    """Add a place and publish its scope's list (the API's and the console's way)."""
    stamp = now_ms()
    with registry.session() as session:
        check_target(session, body.target)
        if session.get(PlaceRow, body.id) is not None:
            raise HTTPException(409, f"場所 {body.id!r} は既にあります / place {body.id!r} exists")
        row = PlaceRow(id=body.id)
        apply(row, body, who, stamp)
        session.add(row)
        audit(session, who, "place.create", body.id, row.scope)
        publish(publisher, session, {row.scope}, stamp)
        return place_out(row)


def change_place(
    registry: Registry, publisher: ContentPublisher, who: str, place_id: str, body: PlaceIn
) -> PlaceOut:
    stamp = now_ms()
    with registry.session() as session:
        row = found(session, place_id)
        check_target(session, body.target)
        before = row.scope
        apply(row, body, who, stamp)
        audit(session, who, "place.update", place_id, row.scope)
        publish(publisher, session, {before, row.scope}, stamp)
        return place_out(row)


def remove_place(registry: Registry, publisher: ContentPublisher, who: str, place_id: str) -> None:
    stamp = now_ms()
    with registry.session() as session:
        row = found(session, place_id)
        session.delete(row)
        audit(session, who, "place.delete", place_id, row.scope)
        publish(publisher, session, {row.scope}, stamp)


@router.post(
    "",
    status_code=201,
    summary="Add a place and publish its scope's list",
    description="署名して対象の局へ配信します（retained, QoS 1）。ブローカーが確認しなければ 503。",
)
def create_place(body: PlaceNew, who: Staff, registry: RegistryDep, request: Request) -> PlaceOut:
    return add_place(registry, publisher_of(request), who.name, body)


@router.put("/{place_id}", summary="Change a place; its scope's list is published again")
def update_place(
    place_id: IdInPath, body: PlaceIn, who: Staff, registry: RegistryDep, request: Request
) -> PlaceOut:
    return change_place(registry, publisher_of(request), who.name, place_id, body)


@router.delete("/{place_id}", status_code=204, summary="Remove a place from its scope's list")
def delete_place(
    place_id: IdInPath, who: Staff, registry: RegistryDep, request: Request
) -> Response:
    remove_place(registry, publisher_of(request), who.name, place_id)
    return Response(status_code=204)
