"""Request and response bodies of the API. Times are ISO 8601 in JST (+09:00)."""

import re
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict

from contract.jst import JST
from contract.levels import Level
from contract.messages import (
    ID_PATTERN,
    LAST_EPOCH_MS,
    MAX_SAFE_INTEGER,
    Quality,
    Reading,
    TimeSource,
)
from server.registry.models import EnrolmentState, Exposure, Role

# Station, area and notice ids, in bodies and in paths: what a station's topic can carry.
StationId = Annotated[str, Field(pattern=ID_PATTERN)]
IdInPath = Annotated[str, Path(pattern=ID_PATTERN)]
# Registry row ids (alerts, tokens, quarantined messages) and versions fit every database.
RowIdInPath = Annotated[int, Path(ge=1, le=MAX_SAFE_INTEGER)]
IdInQuery = Annotated[str | None, Query(pattern=ID_PATTERN)]
CountInQuery = Annotated[int | None, Query(ge=0, le=MAX_SAFE_INTEGER)]
_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def to_ms(value: datetime) -> int:
    """Epoch milliseconds; a time without an offset is JST."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=JST)
    return int(aware.timestamp() * 1000)


def _iso_text(value: object) -> object:
    # pydantic would read a number, or text that is one, as seconds since 1970.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        raise ValueError("ISO 8601 の日時で / an ISO 8601 date and time, e.g. 2026-08-01T10:00")
    return value


def _in_epoch(value: datetime) -> datetime:
    try:
        ms = to_ms(value)
    except (OverflowError, ValueError):
        ms = -1
    if not 0 <= ms <= LAST_EPOCH_MS:
        raise ValueError("1970 年から 3000 年まで / between 1970 and 3000")
    return value


# Numbers in bodies are JSON numbers: true is not 1 and "35.6" is not 35.6.
Number = Annotated[float, Strict()]
Latitude = Annotated[Number, Field(ge=-90, le=90)]
Longitude = Annotated[Number, Field(ge=-180, le=180)]
# Every time the API takes: ISO 8601 text (JST without an offset), 1970 to 3000.
ApiTime = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_in_epoch)]
# A station's name in the kiosk's languages beyond name_ja / name_en.
OtherNames = dict[
    Literal["ja-easy", "zh", "ko", "vi"], Annotated[str, Field(min_length=1, max_length=200)]
]


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
    names: dict[str, str] = {}  # the kiosk's other languages: {"zh": …, "ko": …}
    state: EnrolmentState = EnrolmentState.PENDING
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


class CompactFleetOut(BaseModel):
    """``GET /stations?view=compact``: one array per station, in ``fields`` order (times in
    UTC epoch milliseconds); ``cursor`` for ``?since=``; ``next_after`` for the next page."""

    fields: list[str]
    rows: list[list[str | float | bool | None]]
    cursor: int
    next_after: str | None = None


class StationIn(BaseModel):
    """Enrol a station. Names are Japanese first; English is optional."""

    model_config = ConfigDict(extra="forbid")
    id: StationId
    name_ja: Annotated[str, Field(min_length=1, max_length=200)]
    name_en: Annotated[str, Field(max_length=200)] | None = None
    names: OtherNames | None = None
    area: StationId | None = None
    address: Annotated[str, Field(max_length=400)] | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    exposure: Exposure = Exposure.SHADE
    installed_at: ApiTime | None = None


class StationPatch(BaseModel):
    """What to change; a field left out stays. The Japanese name and the exposure can be
    changed, not cleared (null is refused)."""

    model_config = ConfigDict(extra="forbid")
    # Not nullable, yet optional: the default only marks the field as left out.
    name_ja: Annotated[str, Field(min_length=1, max_length=200)] = None  # type: ignore[assignment]
    name_en: Annotated[str, Field(max_length=200)] | None = None
    names: OtherNames | None = None
    area: StationId | None = None
    address: Annotated[str, Field(max_length=400)] | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    exposure: Exposure = None  # type: ignore[assignment]
    installed_at: ApiTime | None = None


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
