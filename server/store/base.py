"""What the ingest worker and the API need from a time-series store."""

import time
from dataclasses import dataclass
from typing import Protocol

from contract.messages import Health, Reading, Status


class StoreUnavailableError(RuntimeError):
    """The store could not durably write or read: retry later, acknowledge nothing."""


class StoreRejectedError(ValueError):
    """The store refused the data itself (e.g. a field type conflict): retrying cannot help."""


@dataclass(frozen=True, slots=True)
class StoredReading:
    station: str
    reading: Reading


# A reading dated further ahead of its arrival than this is flagged, not trusted as latest.
FUTURE_TOLERANCE_S = 300


@dataclass(frozen=True, slots=True)
class StationReadings:
    """One telemetry message's readings, ready to write.

    ``session`` and ``seq`` are the station's own order (docs/protocol.md): a station's
    latest reading is the last one of its newest message, whatever its clock said.
    """

    station: str
    readings: list[Reading]
    area: str | None = None
    session: int | None = None
    seq: int | None = None
    received_ms: int | None = None

    def future_after(self, tolerance_ms: int) -> int:
        """Readings dated after this are from the future: flagged, never "latest"."""
        received = self.received_ms if self.received_ms is not None else time.time_ns() // 10**6
        return received + tolerance_ms


@dataclass(frozen=True, slots=True)
class LatestState:
    station: str
    last_seen_ms: int | None
    online: bool | None  # None when no status was ever received
    session: int | None
    latest: Reading | None


@dataclass(frozen=True, slots=True)
class Bucket:
    """Aggregates of one time bucket; ``None`` where the bucket had no value."""

    start_ms: int
    count: int
    temp_c: tuple[float, float, float] | None  # min, mean, max
    rh: tuple[float, float, float] | None
    wbgt: tuple[float, float, float] | None


@dataclass(frozen=True, slots=True)
class HealthSample:
    ts: int
    fields: dict[str, float]


def health_fields(health: Health) -> dict[str, float]:
    """A health message as float fields: what every backend can store and aggregate."""
    fields: dict[str, float] = {
        "uptime_s": health.uptime_s,
        "outbox_depth": float(health.outbox_depth),
        "outbox_evicted": float(health.outbox_evicted),
        "sensor_errors": float(sum(health.sensor_errors.values())),
        "sensor_ok": 1.0 if health.sensor_state == "ok" else 0.0,
        "clock_synced": 1.0 if health.clock_synced else 0.0,
        "session": float(health.session),
    }
    optional = {
        "cpu_temp_c": health.cpu_temp_c,
        "load_1m": health.load_1m,
        "mem_used_pct": health.mem_used_pct,
        "disk_used_pct": health.disk_used_pct,
        "disk_free_mb": health.disk_free_mb,
        "wifi_rssi_dbm": health.wifi_rssi_dbm,
        "undervoltage": None if health.undervoltage is None else float(health.undervoltage),
        "throttled": None if health.throttled is None else float(health.throttled),
    }
    fields.update({k: float(v) for k, v in optional.items() if v is not None})
    return fields


class TimeSeriesStore(Protocol):
    def write_batch(self, batch: list[StationReadings]) -> None:
        """Durably store readings (replacing any with the same station and ts), or raise
        StoreUnavailableError having stored possibly some of them (a retry is harmless)."""

    def write_readings(self, station: str, readings: list[Reading]) -> None: ...

    def record_status(self, station: str, status: Status, received_ms: int) -> None: ...

    def record_health(self, station: str, health: Health, received_ms: int) -> None: ...

    def readings(self, station: str, start_ms: int, end_ms: int) -> list[Reading]: ...

    def aggregate(self, station: str, start_ms: int, end_ms: int, every_s: int) -> list[Bucket]:
        """min/mean/max per ``every_s`` bucket, aligned to JST midnight for whole days."""

    def latest_health(self, station: str) -> HealthSample | None: ...

    def fleet(self) -> list[LatestState]: ...

    def ping(self) -> None:
        """Raise StoreUnavailableError unless the store answers."""

    def maintain(self) -> None:
        """Housekeeping that ingest runs about once a minute (e.g. refreshing rollups)."""

    def close(self) -> None: ...
