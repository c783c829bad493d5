"""The fleet as the console shows it: the API's fleet view plus each station's outbox depth."""

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.api.cache import FleetCache
from server.api.stations import STATIONS_JSON, fleet_json
from server.console.fleet_view import Row, row_of
from server.registry.db import now_ms
from server.registry.models import Alert
from server.settings import ServerSettings
from server.store.base import TimeSeriesStore

OUTBOX_FIELD = "outbox_depth"


class OutboxDepths:
    """Health arrives about once a minute: each station's depth is looked up at most once
    per ``ttl_s`` for all the console's screens together."""

    def __init__(self, ttl_s: float = 5.0) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._at = 0.0
        self._depths: dict[str, int | None] = {}

    def get(self, store: TimeSeriesStore, stations: list[str]) -> dict[str, int | None]:
        with self._lock:
            fresh = time.monotonic() - self._at < self.ttl_s
            if not fresh or any(s not in self._depths for s in stations):
                depths: dict[str, int | None] = {}
                for sid in stations:
                    sample = store.latest_health(sid)
                    value = None if sample is None else sample.fields.get(OUTBOX_FIELD)
                    depths[sid] = None if value is None else int(value)
                self._depths = depths
                self._at = time.monotonic()
            return dict(self._depths)


def fleet_rows(
    session: Session,
    store: TimeSeriesStore,
    settings: ServerSettings,
    cache: FleetCache,
    depths: OutboxDepths,
) -> list[Row]:
    stations = STATIONS_JSON.validate_json(fleet_json(session, store, settings, cache))
    outbox = depths.get(store, [s.id for s in stations])
    now = now_ms()
    return [row_of(s, outbox.get(s.id), now, settings.offline_after_s) for s in stations]


def open_alert_count(session: Session) -> int:
    """The inbox: open alerts nobody has acknowledged yet."""
    query = select(func.count(Alert.id)).where(
        Alert.cleared_at.is_(None), Alert.acknowledged_at.is_(None)
    )
    return session.scalar(query) or 0
