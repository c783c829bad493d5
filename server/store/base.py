"""What the ingest worker and the API need from a time-series store."""

from dataclasses import dataclass
from typing import Protocol

from contract.messages import Reading, Status


@dataclass(frozen=True, slots=True)
class StoredReading:
    station: str
    reading: Reading


@dataclass(frozen=True, slots=True)
class LatestState:
    station: str
    last_seen_ms: int | None
    online: bool | None  # None when no status was ever received
    session: int | None
    latest: Reading | None


class TimeSeriesStore(Protocol):
    def write_readings(self, station: str, readings: list[Reading]) -> None:
        """Durably store readings; a reading with the same station and ts replaces the old."""

    def record_status(self, station: str, status: Status, received_ms: int) -> None: ...

    def readings(self, station: str, start_ms: int, end_ms: int) -> list[Reading]: ...

    def fleet(self) -> list[LatestState]: ...

    def close(self) -> None: ...
