"""Messages a station sends: telemetry, health, status, receipts, command results.

Times are UTC epoch milliseconds. Every model forbids unknown fields so a typo is an
error, not silently dropped data.
"""

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contract.levels import Level

LAST_EPOCH_MS = 32_503_680_000_000  # 3000-01-01T00:00Z
EpochMs = Annotated[int, Field(ge=0, le=LAST_EPOCH_MS)]
# Every integer on the wire stays within what a double (and a SQLite INTEGER) holds exactly.
MAX_SAFE_INTEGER = 2**53 - 1
Count = Annotated[int, Field(ge=0, le=MAX_SAFE_INTEGER)]
SafeInt = Annotated[int, Field(ge=-MAX_SAFE_INTEGER, le=MAX_SAFE_INTEGER)]
# Station, area and notice ids: what contract.topics.check_id accepts.
ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
SMALL_TEXT = 200


class _Message(BaseModel):
    # NaN and infinities are not JSON; refuse them even from Python callers.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Quality(StrEnum):
    OK = "ok"
    EXTRAPOLATED = "extrapolated"  # WBGT estimated outside the chart
    FAULT = "fault"  # no value: the sensor read failed


class TimeSource(StrEnum):
    SYNCED = "synced"  # wall clock was synchronised when measured
    REDATED = "redated"  # measured before sync, re-dated from the monotonic clock
    UNSYNCED = "unsynced"  # clock never synchronised: the time is the Pi's guess


# What a reading's values can be: the DHT22's specified range, inclusive. The agent calls
# anything outside a bad read; ingest and the stores refuse it.
TEMP_MIN_C, TEMP_MAX_C = -40.0, 80.0
RH_MIN, RH_MAX = 0.0, 100.0


def within_bounds(temp_c: float, rh: float) -> bool:
    """Whether a temperature and humidity pair is one a Reading can carry."""
    return TEMP_MIN_C <= temp_c <= TEMP_MAX_C and RH_MIN <= rh <= RH_MAX


class Reading(_Message):
    ts: EpochMs
    temp_c: Annotated[float, Field(ge=TEMP_MIN_C, le=TEMP_MAX_C)] | None = None
    rh: Annotated[float, Field(ge=RH_MIN, le=RH_MAX)] | None = None
    # The chart's linear continuation spans about −44…76 °C over the sensor's −40…80 °C.
    wbgt: Annotated[float, Field(ge=-50, le=80)] | None = None
    level: Level | None = None
    quality: Quality = Quality.OK
    time: TimeSource = TimeSource.SYNCED

    @model_validator(mode="after")
    def _values_match_quality(self) -> Self:
        values = (self.temp_c, self.rh, self.wbgt, self.level)
        if self.quality is Quality.FAULT:
            if any(v is not None for v in values):
                raise ValueError("a fault reading carries no values")
        elif any(v is None for v in values):
            raise ValueError("temp_c, rh, wbgt and level are required unless quality is fault")
        return self


class Telemetry(_Message):
    v: Literal[1] = 1
    session: Count
    seq: Count
    readings: Annotated[list[Reading], Field(min_length=1, max_length=1000)]


class Health(_Message):
    v: Literal[1] = 1
    ts: EpochMs
    session: Count
    version: Annotated[str, Field(max_length=64)]
    uptime_s: Annotated[float, Field(ge=0)]
    cpu_temp_c: float | None = None
    load_1m: Annotated[float, Field(ge=0)] | None = None
    mem_used_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    disk_used_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    disk_free_mb: Annotated[float, Field(ge=0)] | None = None
    wifi_rssi_dbm: Annotated[float, Field(ge=-120, le=0)] | None = None
    undervoltage: bool | None = None
    throttled: bool | None = None
    outbox_depth: Count = 0
    outbox_evicted: Count = 0
    sensor_errors: dict[Annotated[str, Field(max_length=32)], Count] = Field(default_factory=dict)
    sensor_state: Annotated[str, Field(max_length=32)] = "ok"
    clock_synced: bool = True
    content_rejected: dict[Annotated[str, Field(max_length=32)], Count] = Field(
        default_factory=dict
    )
    display_state: Annotated[str, Field(max_length=32)] | None = None
    local_state_rebuilt: Count = 0


class StationState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


class Status(_Message):
    """Birth (retained, at connect) and will (``offline``, sent by the broker or at stop)."""

    v: Literal[1] = 1
    state: StationState
    session: Count
    ts: EpochMs | None = None  # absent in the will: the broker sends it later
    version: Annotated[str, Field(max_length=64)] | None = None
    area: Annotated[str, Field(max_length=64)] | None = None
    clean: bool | None = None  # offline by a clean stop rather than the will


class Receipt(_Message):
    notice_id: Annotated[str, Field(pattern=ID_PATTERN)]
    version: Count
    shown_at: EpochMs
    duration_s: Annotated[float, Field(ge=0, le=86_400)]
    lang: Annotated[str, Field(max_length=16)]


class Interaction(_Message):
    """A touch on the kiosk (language chosen, notice swiped, screen woken…), no personal data."""

    ts: EpochMs
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,31}$")]
    detail: Annotated[str, Field(max_length=64)] = ""


class Receipts(_Message):
    """What the screen reports back: notices it showed and touches it received."""

    v: Literal[1] = 1
    session: Count
    seq: Count
    receipts: Annotated[list[Receipt], Field(max_length=1000)] = []
    interactions: Annotated[list[Interaction], Field(max_length=1000)] = []

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.receipts and not self.interactions:
            raise ValueError("a receipts message carries at least one receipt or interaction")
        return self


class CommandName(StrEnum):
    IDENTIFY = "identify"
    RESTART_KIOSK = "restart_kiosk"
    SCREENSHOT = "screenshot"


class Command(_Message):
    """Sent to ``…/cmd``; the MQTT v5 correlation data is copied to the result."""

    v: Literal[1] = 1
    cmd_id: Annotated[str, Field(min_length=1, max_length=64)]
    name: CommandName
    issued_at: EpochMs
    expires_at: EpochMs
    args: dict[Annotated[str, Field(max_length=64)], str | SafeInt | float | bool] = Field(
        default_factory=dict
    )


class CommandResult(_Message):
    v: Literal[1] = 1
    cmd_id: Annotated[str, Field(min_length=1, max_length=64)]
    ok: bool
    detail: Annotated[str, Field(max_length=SMALL_TEXT)] = ""
    png_base64: str | None = None
