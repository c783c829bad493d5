"""Request and response bodies of the API. Times are ISO 8601 in JST (+09:00)."""

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from contract.levels import Level
from contract.messages import Quality, Reading, TimeSource
from server.registry.models import Exposure, Role, StationState

JST = ZoneInfo("Asia/Tokyo")
StationId = Annotated[str, Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")]


def jst(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=JST)


def jst_or_none(ms: int | None) -> datetime | None:
    return None if ms is None else jst(ms)


class ReadingOut(BaseModel):
    time: datetime
    temp_c: float | None
    rh: float | None
    wbgt: float | None
    level: Level | None
    quality: Quality
    time_source: TimeSource

    @classmethod
    def of(cls, reading: Reading) -> "ReadingOut":
        return cls(
            time=jst(reading.ts),
            temp_c=reading.temp_c,
            rh=reading.rh,
            wbgt=reading.wbgt,
            level=reading.level,
            quality=reading.quality,
            time_source=reading.time,
        )


class StationOut(BaseModel):
    id: str
    name: str  # Japanese name, or the id while the station is unnamed
    name_ja: str | None = None
    name_en: str | None = None
    state: StationState = StationState.PENDING
    area: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    exposure: Exposure = Exposure.SHADE
    installed_at: datetime | None = None
    retired_at: datetime | None = None
    last_seen: datetime | None
    online: bool
    session: int | None = None
    latest: ReadingOut | None
    # Reporting, but its clock has never been synchronised: readings wait on the station
    # (up to the agent's unsynced_hold_s, then arrive flagged "unsynced").
    held_back: bool = False
    held_back_reason: str | None = None


class StationIn(BaseModel):
    """Enrol a station. Names are Japanese first; English is optional."""

    model_config = ConfigDict(extra="forbid")
    id: StationId
    name_ja: Annotated[str, Field(min_length=1, max_length=200)]
    name_en: Annotated[str, Field(max_length=200)] | None = None
    area: StationId | None = None
    address: Annotated[str, Field(max_length=400)] | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    exposure: Exposure = Exposure.SHADE
    installed_at: datetime | None = None


class StationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name_ja: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    name_en: Annotated[str, Field(max_length=200)] | None = None
    area: StationId | None = None
    address: Annotated[str, Field(max_length=400)] | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    exposure: Exposure | None = None
    installed_at: datetime | None = None


class Stat(BaseModel):
    min: float
    mean: float
    max: float


class BucketOut(BaseModel):
    time: datetime  # start of the bucket
    count: int
    temp_c: Stat | None
    rh: Stat | None
    wbgt: Stat | None


class HealthOut(BaseModel):
    time: datetime
    fields: dict[str, float]


class AlertOut(BaseModel):
    id: int
    station_id: str
    kind: str
    title_ja: str
    severity: str
    detail: str
    raised_at: datetime
    cleared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class ReceiptOut(BaseModel):
    """A station's screen showed a notice version from ``shown_at`` for ``duration_s``."""

    station_id: str
    notice_id: str
    version: int
    shown_at: datetime
    duration_s: float
    lang: str
    received_at: datetime


class QuarantinedOut(BaseModel):
    id: int
    received_at: datetime
    topic: str
    station_id: str | None
    reason: str
    detail: str
    payload_size: int
    payload_text: str  # the start of the payload, undecodable bytes replaced


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role = Role.READER


class TokenOut(BaseModel):
    id: int
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str  # shown once


class PublicLevelOut(BaseModel):
    id: str
    name_ja: str | None
    name_en: str | None
    area: str | None
    level: Level | None
    level_name_ja: str | None
    wbgt: float | None
    time: datetime | None


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody
