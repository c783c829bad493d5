"""Each station's newest state in one batch, written to ``station_latest`` with the batch.

The handler reports what it stored (``reading``, ``status``, ``health``); ``record`` then
upserts one row per station in the batch's registry pass, before it is acknowledged.
"""

from sqlalchemy.orm import Session

from contract.messages import Health, StationState, Status
from server.registry import latest as latest_registry
from server.registry.db import Registry, now_ms
from server.registry.latest import HealthSummary, LatestUpdate, NewestReading
from server.store.base import StationReadings


class BatchLatest:
    def __init__(self, future_tolerance_ms: int) -> None:
        self.future_tolerance_ms = future_tolerance_ms
        self._updates: dict[str, LatestUpdate] = {}

    def _of(self, station: str, seen_ms: int) -> LatestUpdate:
        update = self._updates.get(station)
        if update is None:
            update = self._updates[station] = LatestUpdate(station)
        if update.seen_ms is None or seen_ms > update.seen_ms:
            update.seen_ms = seen_ms
        return update

    def reading(self, item: StationReadings) -> None:
        """A stored telemetry message: its last reading not from the future is a candidate."""
        future_after = item.future_after(self.future_tolerance_ms)
        trusted = [(i, r) for i, r in enumerate(item.readings) if r.ts <= future_after]
        seen = max(r.ts for _, r in trusted) if trusted else future_after - self.future_tolerance_ms
        update = self._of(item.station, seen)
        if not trusted:
            return
        idx, reading = trusted[-1]
        newest = NewestReading(item.session or 0, item.seq or 0, idx, reading)
        old = update.reading
        if old is None or (newest.session, newest.seq, newest.idx) >= (
            old.session,
            old.seq,
            old.idx,
        ):
            update.reading = newest

    def readings(self, items: list[StationReadings]) -> None:
        """``reading`` for each stored message, the common one-reading message made cheap."""
        tolerance = self.future_tolerance_ms
        for item in items:
            if len(item.readings) != 1:
                self.reading(item)
                continue
            reading = item.readings[0]
            future_after = item.future_after(tolerance)
            if reading.ts > future_after:  # from the future: seen now, never the newest
                self._of(item.station, future_after - tolerance)
                continue
            update = self._of(item.station, reading.ts)
            session, seq, old = item.session or 0, item.seq or 0, update.reading
            if old is None or (session, seq, 0) >= (old.session, old.seq, old.idx):
                update.reading = NewestReading(session, seq, 0, reading)

    def status(self, station: str, status: Status, received_ms: int) -> None:
        update = self._of(station, received_ms)
        if update.status_session is None or status.session >= update.status_session:
            update.status_session = status.session
            update.online = status.state is StationState.ONLINE

    def health(self, station: str, health: Health, received_ms: int) -> None:
        update = self._of(station, received_ms)
        if update.health is None or health.ts >= update.health.ts:
            update.health = HealthSummary(
                health.ts, health.clock_synced, health.sensor_state == "ok", health.outbox_depth
            )

    def pending(self) -> bool:
        return bool(self._updates)

    def record(self, session: Session) -> None:
        """Write and forget the batch's updates in the caller's transaction (a failure
        raises: the batch is not acknowledged, and its redelivery writes the same again)."""
        updates, self._updates = list(self._updates.values()), {}
        if updates:
            latest_registry.record(session, updates, now_ms())

    def store(self, registry: Registry | None) -> None:
        """``record`` in a transaction of its own."""
        if registry is None or not self._updates:
            self._updates = {}
            return
        with registry.session() as session:
            self.record(session)

    def discard(self) -> None:
        self._updates = {}
