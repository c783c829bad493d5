"""Content the server pushes to stations: notices, configuration, heat alerts, places,
disaster mode.

Each travels inside a signed envelope (contract.signing). ``version`` grows with every
change to the same ``id``; a station keeps the highest version it has verified and
refuses anything older, so a replayed message cannot roll content back.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contract.content_base import ContentBase as _Content
from contract.content_base import LangText
from contract.forecast import OfficialForecast
from contract.jst import HourMinute
from contract.languages import pick
from contract.messages import ID_PATTERN, Count, EpochMs
from contract.places import MAX_PLACES, Place
from contract.topics import ContentKind

# A text in each of the kiosk's languages (contract.languages.KIOSK_LANGS), Japanese first:
# what staff write for the screens. Reading stays with the looser LangText, so content
# retained before a language was added still verifies.
KioskLang = Literal["ja", "ja-easy", "en", "zh", "ko", "vi"]
KioskText = Annotated[
    dict[KioskLang, Annotated[str, Field(min_length=1, max_length=2000)]], Field(min_length=1)
]


class NoticePriority(StrEnum):
    URGENT = "urgent"  # interrupts the carousel
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


IMAGE_MAX_BYTES = 1_000_000  # a notice's picture as stations receive it (re-encoded)
ImageType = Literal["image/png", "image/jpeg"]


class NoticeImage(BaseModel):
    """A notice's picture: sent on its own (contract.topics.notice_image_topic) and shown
    only when its bytes have this SHA-256 and size. ``alt`` is what a screen shows where
    the picture cannot be: a text per language, Japanese always."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    size: Annotated[int, Field(ge=1, le=IMAGE_MAX_BYTES)]
    media_type: ImageType
    width: Annotated[int, Field(ge=1, le=7680)]
    height: Annotated[int, Field(ge=1, le=4320)]
    alt: LangText

    @model_validator(mode="after")
    def _japanese_first(self) -> Self:
        if "ja" not in self.alt:
            raise ValueError("a picture's text alternative needs at least Japanese ('ja')")
        return self


class Notice(_Content):
    """A ward notice. ``withdrawn`` replaces it with nothing, at a higher version."""

    kind: Literal[ContentKind.NOTICE] = ContentKind.NOTICE
    withdrawn: bool = False
    priority: NoticePriority = NoticePriority.NORMAL
    title: LangText | None = None
    body: LangText | None = None
    starts_at: EpochMs | None = None
    ends_at: EpochMs | None = None
    image: NoticeImage | None = None

    @model_validator(mode="after")
    def _text_unless_withdrawn(self) -> Self:
        if not self.withdrawn and (self.title is None or "ja" not in self.title):
            raise ValueError("a notice needs a title with at least Japanese ('ja')")
        if self.body is not None and "ja" not in self.body:
            raise ValueError("a notice body needs at least Japanese ('ja')")
        if (
            self.starts_at is not None
            and self.ends_at is not None
            and self.ends_at <= self.starts_at
        ):
            raise ValueError("ends_at must be after starts_at")
        return self


class TimeWindow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    start: HourMinute  # JST, may wrap past midnight
    end: HourMinute


class StationConfig(_Content):
    """Desired configuration; fields left out keep the station's current value."""

    kind: Literal[ContentKind.CONFIG] = ContentKind.CONFIG
    reading_interval_s: Annotated[int, Field(ge=10, le=3600)] | None = None
    health_interval_s: Annotated[int, Field(ge=30, le=86_400)] | None = None
    hysteresis_c: Annotated[float, Field(ge=0, le=3)] | None = None
    display_on: TimeWindow | None = None
    quiet_hours: TimeWindow | None = None
    stale_after_s: Annotated[int, Field(ge=60, le=86_400)] | None = None
    beacon_level: Annotated[str, Field(max_length=32)] | None = None


class AlertKind(StrEnum):
    NONE = "none"  # cleared
    HEATSTROKE_ALERT = "heatstroke_alert"  # 熱中症警戒アラート, forecast WBGT ≥ 33
    SPECIAL_HEATSTROKE_ALERT = "special_heatstroke_alert"  # 熱中症特別警戒アラート, ≥ 35


# The band colours a screen shows each alert in (its text on them is white).
ALERT_COLOURS = {
    AlertKind.HEATSTROKE_ALERT: "#A000C8",
    AlertKind.SPECIAL_HEATSTROKE_ALERT: "#3C0050",
}


class HeatAlert(_Content):
    """The area's alert. ``message`` has a text per kiosk language (``ja`` always); a screen
    shows it by ``contract.languages.fallback_chain``. An alert retained with only ``ja``
    and ``en`` (before there were more) reads the same way: the other screens show English.
    """

    kind: Literal[ContentKind.ALERT] = ContentKind.ALERT
    alert: AlertKind
    area: Annotated[str, Field(max_length=64)] | None = None
    forecast_wbgt: Annotated[float, Field(ge=0, le=60)] | None = None
    valid_on: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")] | None = None  # JST
    message: LangText | None = None

    @model_validator(mode="after")
    def _japanese_first(self) -> Self:
        if self.message is not None and "ja" not in self.message:
            raise ValueError("an alert message needs at least Japanese ('ja')")
        if self.valid_on is not None:
            date.fromisoformat(self.valid_on)  # ValueError for 2026-02-30
        return self

    def message_for(self, lang: str) -> tuple[str, str] | None:
        """``(language, text)`` of the message for a screen in ``lang``, by the fallbacks."""
        return pick(self.message or {}, lang)


class PlaceList(_Content):
    """Places near the stations of one scope (contract.places); ``id`` is
    ``contract.places.places_id`` of that scope. An empty list withdraws the scope's."""

    kind: Literal[ContentKind.PLACES] = ContentKind.PLACES
    places: Annotated[list[Place], Field(max_length=MAX_PLACES, default_factory=list)]


EMERGENCY_ALL_ID = "e-all"
AREA_ID_MAX = 57  # "e-area-" + the area still fits an id (64 characters)


def emergency_id(area: str | None) -> str:
    """The one id of the disaster mode for every station, or for one area."""
    return EMERGENCY_ALL_ID if area is None else f"e-area-{area}"


class Shelter(BaseModel):
    """An open evacuation shelter (避難所): its name, and where it is, per language."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: LangText
    address: LangText | None = None

    @model_validator(mode="after")
    def _japanese_first(self) -> Self:
        if "ja" not in self.name or (self.address is not None and "ja" not in self.address):
            raise ValueError("a shelter's name and address need at least Japanese ('ja')")
        return self


class Emergency(_Content):
    """Disaster mode (避難所開設情報) for every station (``area`` None) or one area. Every
    screen in scope shows it above everything else until a newer version with
    ``withdrawn`` arrives. The id follows the scope (``emergency_id``)."""

    kind: Literal[ContentKind.EMERGENCY] = ContentKind.EMERGENCY
    area: Annotated[str, Field(pattern=ID_PATTERN, max_length=AREA_ID_MAX)] | None = None
    withdrawn: bool = False
    message: LangText | None = None
    shelters: Annotated[list[Shelter], Field(max_length=30)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _message_unless_withdrawn(self) -> Self:
        if self.id != emergency_id(self.area):
            raise ValueError(f"disaster mode for this scope has the id {emergency_id(self.area)}")
        if not self.withdrawn and (self.message is None or "ja" not in self.message):
            raise ValueError("disaster mode needs a message with at least Japanese ('ja')")
        return self


AnyContent = Notice | StationConfig | HeatAlert | PlaceList | OfficialForecast | Emergency
CONTENT_MODELS: dict[ContentKind, type[AnyContent]] = {
    ContentKind.NOTICE: Notice,
    ContentKind.CONFIG: StationConfig,
    ContentKind.ALERT: HeatAlert,
    ContentKind.PLACES: PlaceList,
    ContentKind.EMERGENCY: Emergency,
    ContentKind.FORECAST: OfficialForecast,
}

__all__ = [
    "ALERT_COLOURS",
    "CONTENT_MODELS",
    "IMAGE_MAX_BYTES",
    "AlertKind",
    "AnyContent",
    "Count",
    "Emergency",
    "HeatAlert",
    "KioskLang",
    "KioskText",
    "Notice",
    "NoticeImage",
    "NoticePriority",
    "PlaceList",
    "Shelter",
    "StationConfig",
    "TimeWindow",
    "emergency_id",
]
