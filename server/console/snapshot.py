"""The fleet as the console shows it: the API's fleet view plus each station's outbox depth."""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

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


class ConsoleFleet:
    """The fleet for every console screen of this process: computed at most once per
    ``ttl_s`` (shorter than the API's cache, so a reading shows within the live target), the
    rows built once per change, and each rendered view kept for the screens that share it."""

    def __init__(self, ttl_s: float, views: int = 32) -> None:
        self.cache = FleetCache(ttl_s)
        self.depths = OutboxDepths()
        self._lock = threading.Lock()
        self._built: tuple[str, list[Row]] = ("", [])
        self._views: OrderedDict[tuple[object, ...], str] = OrderedDict()
        self._max_views = views

    def rows(
        self, session: Session, store: TimeSeriesStore, settings: ServerSettings
    ) -> tuple[str, list[Row]]:
        """A version (changes with any change a screen would show) and the rows."""
        body = fleet_json(session, store, settings, self.cache)
        stations = STATIONS_JSON.validate_json(body)
        outbox = self.depths.get(store, [st.id for st in stations])
        version = hashlib.sha256(body + repr(sorted(outbox.items())).encode()).hexdigest()
        with self._lock:
            if self._built[0] == version:
                return self._built
        now = now_ms()
        rows = [row_of(st, outbox.get(st.id), now, settings.offline_after_s) for st in stations]
        with self._lock:
            self._built = (version, rows)
        return version, rows

    def view(self, key: tuple[object, ...], build: Callable[[], str]) -> str:
        """A rendered view by key (which includes the version); built once."""
        with self._lock:
            found = self._views.get(key)
            if found is not None:
                self._views.move_to_end(key)
                return found
        text = build()
        with self._lock:
            self._views[key] = text
            while len(self._views) > self._max_views:
                self._views.popitem(last=False)
        return text


def open_alert_count(session: Session) -> int:
    """The inbox: open alerts nobody has acknowledged yet."""
    query = select(func.count(Alert.id)).where(
        Alert.cleared_at.is_(None), Alert.acknowledged_at.is_(None)
    )
    return session.scalar(query) or 0
