"""The fleet as the console shows it: the API's fleet view plus each station's outbox depth."""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.api.fleet import merge
from server.api.stations import STATIONS_JSON
from server.console.fleet_view import Row, row_of
from server.registry.db import now_ms
from server.registry.models import Alert
from server.registry.stations import list_stations
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
        self.ttl_s = ttl_s
        self.depths = OutboxDepths()
        self._lock = threading.Lock()
        self._built: tuple[float, str, list[Row]] = (-1e9, "", [])
        self._views: OrderedDict[tuple[object, ...], str] = OrderedDict()
        self._max_views = views

    def rows(
        self, session: Session, store: TimeSeriesStore, settings: ServerSettings
    ) -> tuple[str, list[Row]]:
        """A version (changes with anything a screen would show) and the rows; one
        computation per ``ttl_s`` for all callers, the others wait for it and share it."""
        with self._lock:
            at, version, rows = self._built
            if time.monotonic() - at < self.ttl_s:
                return version, rows
            now = now_ms()
            stations = merge(list_stations(session), store.fleet(), now, settings.offline_after_s)
            outbox = self.depths.get(store, [st.id for st in stations])
            body = STATIONS_JSON.dump_json(stations) + repr(sorted(outbox.items())).encode()
            version = hashlib.sha256(body).hexdigest()
            if version != self._built[1]:
                rows = [
                    row_of(st, outbox.get(st.id), now, settings.offline_after_s) for st in stations
                ]
            self._built = (time.monotonic(), version, rows)
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
