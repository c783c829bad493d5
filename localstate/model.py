"""What the kiosk reads from the local state, as plain values."""

import json
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ReadingView:
    ts: int
    temp_c: float | None
    rh: float | None
    wbgt: float | None
    level: str | None  # a contract.levels.Level value
    quality: str  # a contract.messages.Quality value
    time_source: str


IMAGES_DIR = "images"  # beside the local-state file: verified notice pictures


@dataclass(frozen=True, slots=True)
class ImageView:
    """A notice's picture as the signed notice describes it; its bytes are in
    ``<state_dir>/images/<file_name>`` once the agent has them and checked them."""

    sha256: str
    size: int
    media_type: str  # image/png | image/jpeg
    width: int
    height: int
    alt: dict[str, str]  # what to show where the picture cannot be

    @property
    def file_name(self) -> str:
        return f"{self.sha256}.{'png' if self.media_type == 'image/png' else 'jpg'}"


@dataclass(frozen=True, slots=True)
class NoticeView:
    notice_id: str
    version: int
    priority: str  # a contract.content.NoticePriority value
    title: dict[str, str]
    body: dict[str, str]
    starts_at: int | None
    ends_at: int | None
    expires_at: int | None
    image: ImageView | None = None

    def active_at(self, now_ms: int) -> bool:
        return (
            (self.starts_at is None or self.starts_at <= now_ms)
            and (self.ends_at is None or now_ms < self.ends_at)
            and (self.expires_at is None or now_ms < self.expires_at)
        )


@dataclass(frozen=True, slots=True)
class AlertView:
    alert: str  # a contract.content.AlertKind value
    version: int
    forecast_wbgt: float | None
    valid_on: str | None
    message: dict[str, str]
    expires_at: int | None


@dataclass(frozen=True, slots=True)
class ShelterView:
    name: dict[str, str]  # {lang: text}
    address: dict[str, str]


@dataclass(frozen=True, slots=True)
class EmergencyView:
    """Disaster mode in force (a withdrawn one is deleted, not kept)."""

    emergency_id: str  # contract.content.emergency_id: also the receipts' notice id
    version: int
    area: str | None  # None: every station
    message: dict[str, str]
    shelters: tuple[ShelterView, ...]
    issued_at: int
    expires_at: int | None


@dataclass(frozen=True, slots=True)
class PlaceListView:
    list_id: str  # contract.places.places_id of its scope
    version: int
    places: list[dict[str, object]]  # each a contract.places.Place, as JSON
    expires_at: int | None


@dataclass(frozen=True, slots=True)
class Site:
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""


@dataclass(frozen=True, slots=True)
class ForecastView:
    """The official forecast: the day's maximum WBGT by JST day, and its source."""

    version: int
    point: str
    made_at: int
    days: dict[str, float]  # {"YYYY-MM-DD": max WBGT}
    attribution: dict[str, str]  # {lang: 「出典：環境省熱中症予防情報サイト」}
    expires_at: int | None

    def max_on(self, day: str, now_ms: int) -> float | None:
        """The forecast maximum for ``day`` while the forecast has not expired."""
        if self.expires_at is not None and now_ms >= self.expires_at:
            return None
        return self.days.get(day)


@dataclass(frozen=True, slots=True)
class DisplaySchedule:
    on_start: str = "05:00"
    on_end: str = "23:00"
    stale_after_s: int = 600


@dataclass(frozen=True, slots=True)
class ShownNotice:
    """A notice version the kiosk showed, and for how long: a receipt to publish."""

    notice_id: str
    version: int
    shown_at: int
    duration_s: float
    lang: str


@dataclass(frozen=True, slots=True)
class Touch:
    """A touch on the kiosk (language chosen, notice swiped, screen woken…), no personal data."""

    ts: int
    kind: str
    detail: str


@dataclass(frozen=True)
class Snapshot:
    """Everything the kiosk shows, read in one transaction."""

    station_id: str | None = None
    name_ja: str = ""
    name_en: str = ""
    names: dict[str, str] = field(default_factory=dict)  # other kiosk languages: {lang: name}
    latest: ReadingView | None = None
    sensor: str = "starting"
    sensor_detail: str = ""
    network: str = "offline"
    clock_synced: bool = True
    agent_heartbeat_at: int | None = None
    notices: list[NoticeView] = field(default_factory=list)
    alert: AlertView | None = None
    emergencies: tuple[EmergencyView, ...] = ()  # every station's first, then the area's
    forecast: ForecastView | None = None  # the official forecast (contract.forecast)
    display: DisplaySchedule = field(default_factory=DisplaySchedule)
    last_motion_at: int | None = None
    history: list[tuple[int, float, str]] = field(default_factory=list)  # (ts, wbgt, level)
    site: Site = field(default_factory=Site)
    place_lists: list[PlaceListView] = field(default_factory=list)


@dataclass(frozen=True)
class KioskRequestResult:
    ok: bool
    result_path: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class KioskRequest:
    """Something the agent asked of the kiosk that it has not answered yet."""

    request_id: str
    name: str


def image_from_json(raw: str | None) -> ImageView | None:
    if raw is None:
        return None
    value = json.loads(raw)
    return ImageView(
        str(value["sha256"]),
        int(value["size"]),
        str(value["media_type"]),
        int(value["width"]),
        int(value["height"]),
        {str(k): str(v) for k, v in dict(value.get("alt") or {}).items()},
    )


def names_from_json(raw: str) -> dict[str, str]:
    """The station's other names; anything but a JSON object of strings reads as none."""
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str) and v}
