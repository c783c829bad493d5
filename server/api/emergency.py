"""Disaster mode (避難所開設情報): staff switch every station, or one area's, into it with
a message and the open shelters in every kiosk language; it is signed, published retained,
shown above everything else, and ends only with a signed withdrawal. Which stations in its
scope have confirmed it comes from their receipts."""

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Self

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from contract.content import AREA_ID_MAX, KioskText
from contract.languages import KIOSK_LANGS
from contract.messages import ID_PATTERN
from contract.topics import emergency_topic
from server.api.deps import Reader, SessionDep, Staff
from server.api.errors import CodedError
from server.api.notices import publisher_of
from server.api.schemas import jst, jst_or_none
from server.publish import PublishError
from server.registry.db import now_ms
from server.registry.emergencies import (
    as_content,
    change,
    confirmations,
    list_emergencies,
)
from server.registry.models import Emergency as EmergencyRow
from server.registry.notices import target_known
from server.registry.stations import audit

router = APIRouter(prefix="/api/v1", tags=["content"])
log = logging.getLogger("kyusui.api.emergency")
AreaId = Annotated[str, Field(pattern=ID_PATTERN, max_length=AREA_ID_MAX)]


def _every_language(text: Mapping[Any, str], what: str) -> None:
    missing = [lang for lang in KIOSK_LANGS if not text.get(lang, "").strip()]
    if missing:
        raise ValueError(
            f"{what}: すべての言語が必要です / every kiosk language is needed, missing "
            + ", ".join(missing)
        )


class ShelterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: KioskText  # every kiosk language
    address: KioskText | None = None  # at least Japanese

    @model_validator(mode="after")
    def _complete(self) -> Self:
        _every_language(self.name, "name")
        if self.address is not None and "ja" not in self.address:
            raise ValueError("address: 日本語が必要です / Japanese (ja) is needed")
        return self


class EmergencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    area: AreaId | None = None  # None: every station
    message: KioskText  # every kiosk language
    shelters: Annotated[list[ShelterIn], Field(max_length=30)] = []

    @model_validator(mode="after")
    def _complete(self) -> Self:
        _every_language(self.message, "message")
        return self


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    area: AreaId | None = None


class ConfirmationOut(BaseModel):
    station_id: str
    name_ja: str | None
    area: str | None
    confirmed: bool
    first_shown_at: datetime | None  # JST
    last_shown_at: datetime | None


class EmergencyOut(BaseModel):
    id: str
    area: str | None
    version: int
    topic: str
    withdrawn: bool
    message: dict[str, str]
    shelters: list[dict[str, dict[str, str]]]
    updated_at: datetime
    updated_by: str | None
    stations: list[ConfirmationOut]  # in scope; the ones not yet confirmed first
    unconfirmed: int


def emergency_out(session: Session, row: EmergencyRow) -> EmergencyOut:
    stations = [
        ConfirmationOut(
            station_id=c.station_id,
            name_ja=c.name_ja,
            area=c.area,
            confirmed=c.first_shown_at is not None,
            first_shown_at=jst_or_none(c.first_shown_at),
            last_shown_at=jst_or_none(c.last_shown_at),
        )
        for c in (confirmations(session, row) if not row.withdrawn else [])
    ]
    return EmergencyOut(
        id=row.id,
        area=row.area,
        version=row.version,
        topic=emergency_topic(row.area),
        withdrawn=row.withdrawn,
        message=row.message,
        shelters=row.shelters,
        updated_at=jst(row.updated_at),
        updated_by=row.updated_by,
        stations=stations,
        unconfirmed=sum(not s.confirmed for s in stations),
    )


def _publish(request: Request, session: Session, row: EmergencyRow, stamp: int) -> None:
    publisher = publisher_of(request)
    session.flush()
    try:
        publisher.publish(emergency_topic(row.area), as_content(row, stamp))
    except PublishError as exc:
        log.error("disaster mode %s v%d not published: %s", row.id, row.version, exc)
        raise CodedError(
            503,
            "publish_failed",
            "ブローカーが配信を確認しませんでした。保存していません。もう一度送ってください / "
            f"the broker did not confirm the publication; nothing was saved, send it again: {exc}",
        ) from exc


@router.get(
    "/emergency",
    summary="Disaster mode in force, with the stations in scope that have not confirmed it",
)
def get_emergencies(_who: Reader, session: SessionDep) -> list[EmergencyOut]:
    return [emergency_out(session, row) for row in list_emergencies(session, withdrawn=False)]


@router.put(
    "/emergency",
    summary="Switch every station, or one area, into disaster mode (避難所開設情報)",
    responses={404: {"description": "その地域はありません / no such area"}},
    description=(
        "area を省くと全局。message と各避難所の name は画面のすべての言語（"
        + ", ".join(KIOSK_LANGS)
        + "）が必要です。署名して retained で配信し、撤回まで最優先で表示します。"
        "もう一度送ると内容を置き換えます（新しい version）。"
    ),
)
def put_emergency(
    body: EmergencyIn, who: Staff, session: SessionDep, request: Request
) -> EmergencyOut:
    if body.area is not None and not target_known(session, f"area:{body.area}"):
        raise CodedError(404, "not_found", f"地域 {body.area} がありません / no area {body.area}")
    stamp = now_ms()
    shelters = [s.model_dump(exclude_none=True) for s in body.shelters]
    message = {str(lang): text for lang, text in body.message.items()}
    row = change(session, body.area, stamp, who.name, message, shelters)
    _publish(request, session, row, stamp)
    audit(session, who.name, "emergency.set", row.id, f'{{"version": {row.version}}}')
    return emergency_out(session, row)


@router.post(
    "/emergency/withdraw",
    summary="End disaster mode for every station, or one area: a signed withdrawal",
    responses={404: {"description": "災害モードではありません / not in disaster mode"}},
)
def withdraw_emergency(
    body: WithdrawIn, who: Staff, session: SessionDep, request: Request
) -> EmergencyOut:
    in_force = {r.area: r for r in list_emergencies(session, withdrawn=False)}
    if body.area not in in_force:
        raise CodedError(
            404,
            "not_found",
            "この範囲は災害モードではありません / no disaster mode is in force for "
            + (f"area {body.area}" if body.area else "every station"),
        )
    stamp = now_ms()
    row = change(session, body.area, stamp, who.name, None, [])
    _publish(request, session, row, stamp)
    audit(session, who.name, "emergency.withdraw", row.id, f'{{"version": {row.version}}}')
    return emergency_out(session, row)
