"""The area-wide heat alert (熱中症警戒アラート / 熱中症特別警戒アラート), signed for stations."""

from datetime import date, datetime
from typing import Annotated, Self

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from contract.content import AlertKind, HeatAlert, KioskText
from contract.jst import JST
from contract.languages import KIOSK_LANGS, fallback_chain
from contract.topics import alert_topic
from server.api.deps import Reader, SessionDep, Staff
from server.api.errors import CodedError
from server.api.schemas import ApiTime, Number, jst, jst_or_none
from server.official.current import ACTION, Source, current_alert
from server.official.decide import Applied
from server.publish import ContentPublisher, PublishError
from server.registry.db import now_ms
from server.registry.official import record_day
from server.registry.stations import audit

router = APIRouter(prefix="/api/v1", tags=["content"])


class HeatAlertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alert: AlertKind
    area: Annotated[str, Field(max_length=64)] | None = None
    forecast_wbgt: Annotated[Number, Field(ge=0, le=60)] | None = None
    valid_on: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")] | None = None
    # {"ja": …, "ja-easy": …, "en": …, "zh": …, "ko": …, "vi": …}; Japanese required.
    message: KioskText | None = None
    # The first form of this API, still accepted: the same as message.ja / message.en.
    message_ja: Annotated[str, Field(max_length=2000)] | None = None
    message_en: Annotated[str, Field(max_length=2000)] | None = None
    expires_at: ApiTime | None = None  # without a zone: JST

    @field_validator("valid_on")
    @classmethod
    def _real_day(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value} は存在しない日付です / no such date") from None
        return value

    @model_validator(mode="after")
    def _japanese_first(self) -> Self:
        texts = self.texts()
        if texts and "ja" not in texts:
            raise ValueError("日本語のメッセージが必要です / a Japanese message (ja) is required")
        return self

    def texts(self) -> dict[str, str]:
        out: dict[str, str] = {k: v for k, v in (self.message or {}).items() if v.strip()}
        for code, legacy in (("ja", self.message_ja), ("en", self.message_en)):
            if legacy and legacy.strip():
                out.setdefault(code, legacy)
        return out


class HeatAlertOut(BaseModel):
    """What was signed and published, with times in ISO 8601 JST."""

    id: str
    version: int
    topic: str
    alert: AlertKind
    area: str | None
    forecast_wbgt: float | None
    valid_on: str | None
    message: dict[str, str] | None
    # Which text each kiosk language shows (after the fallbacks), for the console's preview.
    shown_as: dict[str, str]
    issued_at: datetime
    expires_at: datetime | None
    # Where it came from: "moe" (set by kyusui-official from the Ministry's alert file) or
    # "staff" (PUT /heat-alert, or the console).
    source: Source
    set_by: str | None = None  # the staff member's login; None for "moe"

    @classmethod
    def of(cls, content: HeatAlert, source: Source, set_by: str | None = None) -> "HeatAlertOut":
        shown: dict[str, str] = {}
        for lang in KIOSK_LANGS:
            picked = content.message_for(lang)
            if picked is not None:
                shown[lang] = picked[0]
        return cls(
            id=content.id,
            version=content.version,
            topic=alert_topic(),
            alert=content.alert,
            area=content.area,
            forecast_wbgt=content.forecast_wbgt,
            valid_on=content.valid_on,
            message=content.message,
            shown_as=shown,
            issued_at=jst(content.issued_at),
            expires_at=jst_or_none(content.expires_at),
            source=source,
            set_by=set_by,
        )


@router.put(
    "/heat-alert",
    summary="Set or clear the heat alert every station shows first",
    description=(
        "alert=none で解除。message は画面の言語ごと（ja 必須; ja-easy, en, zh, ko, vi）。"
        "ない言語は "
        + " / ".join("→".join(fallback_chain(c)) for c in KIOSK_LANGS[1:])
        + " の順に表示します。署名して全局へ配信します（retained）。"
    ),
)
def set_heat_alert(
    body: HeatAlertIn, who: Staff, session: SessionDep, request: Request
) -> HeatAlertOut:
    stamp = now_ms()
    expires = body.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=JST)
    expires_ms = None if expires is None else int(expires.timestamp() * 1000)
    if expires_ms is not None and expires_ms <= stamp:
        # Every station would refuse it as expired while staff think the screens changed.
        raise HTTPException(
            422, "expires_at が過去です / expires_at is in the past: stations would refuse it"
        )
    publisher: ContentPublisher | None = request.app.state.publisher
    if publisher is None:
        raise CodedError(
            503,
            "signing_key_missing",
            "署名鍵が設定されていません / no content-signing key is configured "
            "(signing_key_file, KYUSUI_SERVER_SIGNING_KEY_FILE)",
        )
    texts = body.texts()
    content = HeatAlert(
        id="heat",
        version=stamp,  # grows with every change: stations refuse anything older
        issued_at=stamp,
        expires_at=expires_ms,
        alert=body.alert,
        area=body.area,
        forecast_wbgt=body.forecast_wbgt,
        valid_on=body.valid_on,
        message=texts or None,
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
        ACTION,
        body.alert.value,
        content.model_dump_json(exclude_none=True),
    )
    # Staff decided this day: the next official file leaves it alone (docs/official-data.md).
    day = date.fromisoformat(body.valid_on) if body.valid_on else datetime.now(JST).date()
    record_day(session, Applied(day, body.alert, by_staff=True), None)
    return HeatAlertOut.of(content, "staff", who.name)


@router.get(
    "/heat-alert",
    summary="The heat alert stations hold now, and where it came from (moe or staff)",
    responses={404: {"description": "まだ一度も設定されていません / no heat alert was set yet"}},
    description=(
        "source=moe: 環境省の発表ファイルから自動で設定。source=staff: 職員が設定または解除。"
        "まだ一度も設定されていなければ 404。"
    ),
)
def get_heat_alert(_: Reader, session: SessionDep) -> HeatAlertOut:
    state = current_alert(session)
    if state is None or state.alert is None:
        raise CodedError(404, "not_found", "アラートはまだ設定されていません / no heat alert yet")
    return HeatAlertOut.of(state.alert, state.source, None if state.by_official else state.set_by)
