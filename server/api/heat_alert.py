"""The area-wide heat alert (熱中症警戒アラート / 熱中症特別警戒アラート), signed for stations."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from contract.content import AlertKind, HeatAlert
from contract.topics import alert_topic
from server.api.deps import SessionDep, Staff
from server.api.errors import CodedError
from server.api.schemas import JST, ApiTime, Number
from server.publish import ContentPublisher, PublishError
from server.registry.db import now_ms
from server.registry.stations import audit

router = APIRouter(prefix="/api/v1", tags=["content"])


class HeatAlertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alert: AlertKind
    area: Annotated[str, Field(max_length=64)] | None = None
    forecast_wbgt: Annotated[Number, Field(ge=0, le=60)] | None = None
    valid_on: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    message_ja: Annotated[str, Field(max_length=2000)] | None = None
    message_en: Annotated[str, Field(max_length=2000)] | None = None
    expires_at: ApiTime | None = None


@router.put(
    "/heat-alert",
    summary="Set or clear the heat alert every station shows first",
    description="alert=none で解除。署名して全局へ配信します（retained）。",
)
def set_heat_alert(
    body: HeatAlertIn, who: Staff, session: SessionDep, request: Request
) -> HeatAlert:
    publisher: ContentPublisher | None = request.app.state.publisher
    if publisher is None:
        raise CodedError(
            503,
            "signing_key_missing",
            "署名鍵が設定されていません / no content-signing key is configured "
            "(signing_key_file, KYUSUI_SERVER_SIGNING_KEY_FILE)",
        )
    if body.message_en and not body.message_ja:
        raise HTTPException(422, "message_ja が必要です / a Japanese message is required first")
    message = {"ja": body.message_ja} if body.message_ja else None
    if message is not None and body.message_en:
        message["en"] = body.message_en
    expires = body.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=JST)
    stamp = now_ms()
    content = HeatAlert(
        id="heat",
        version=stamp,  # grows with every change: stations refuse anything older
        issued_at=stamp,
        expires_at=None if expires is None else int(expires.timestamp() * 1000),
        alert=body.alert,
        area=body.area,
        forecast_wbgt=body.forecast_wbgt,
        valid_on=body.valid_on,
        message=message,
    )
    try:
        publisher.publish(alert_topic(), content)
    except PublishError as exc:
        raise CodedError(
            503, "publish_failed", f"配信できませんでした / could not publish: {exc}"
        ) from exc
    # The whole alert as published, so the console can show what is set, until when, by whom.
    audit(
        session,
        who.name,
        "heat_alert.set",
        body.alert.value,
        content.model_dump_json(exclude_none=True),
    )
    return content
