"""The fleet as the console shows it: rows of ``station_latest``, kept by its change feed.

The first look reads the whole fleet; every later one asks only for the stations that
changed since (``server.api.fleet_table``, as ``GET /api/v1/stations?since=``), and a row is
rebuilt only when its database row or its time-dependent flags differ.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.api import fleet_table
from server.api.fleet_table import FleetFilter
from server.api.schemas import StationOut
from server.console.fleet_view import Row, row_of
from server.registry.db import now_ms
from server.registry.models import Alert, EnrolmentState
from server.settings import ServerSettings
from server.store.base import TimeSeriesStore


class ConsoleFleet:
    """The fleet for every console screen of this process: looked up at most once per
    ``ttl_s`` (shorter than the API's cache, so a reading shows within the live target), the
    rows rebuilt only where they changed, and each rendered view kept for the screens that
    share it."""

    def __init__(self, ttl_s: float, views: int = 32) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._at = -1e9
        self._cursor: int | None = None
        self._generation = 0
        # id → (what it was built from, its row)
        self._known: dict[str, tuple[tuple[Any, ...], Row]] = {}
        self._sorted: list[Row] = []
        self._views: OrderedDict[tuple[object, ...], str] = OrderedDict()
        self._max_views = views

    def rows(
        self, session: Session, store: TimeSeriesStore, settings: ServerSettings
    ) -> tuple[str, list[Row]]:
        """A version (changes with anything a screen would show) and the rows, sorted by id;
        one look per ``ttl_s`` for all callers, the others wait for it and share it."""
        with self._lock:
            if time.monotonic() - self._at < self.ttl_s:
                return str(self._generation), self._sorted
            now, off = now_ms(), settings.offline_after_s
            overlap_ms = int(settings.api_fleet_change_overlap_s * 1000)
            f = FleetFilter() if self._cursor is None else FleetFilter(since_ms=self._cursor)
            found, _ = fleet_table.fetch(session, f, now, off, overlap_ms)
            changed = False
            for r in found:
                online, held = fleet_table.flags(r, now, off)
                stale = r.ts is not None and now - r.ts > off * 1000
                basis = (*r, online, held, stale)
                known = self._known.get(r.id)
                if r.state == EnrolmentState.RETIRED.value:
                    changed |= self._known.pop(r.id, None) is not None
                    continue
                if known is not None and known[0] == basis:
                    continue
                station = StationOut.model_validate(fleet_table.station_dict(r, online, held))
                self._known[r.id] = (basis, row_of(station, r.outbox_depth, now, off))
                changed = True
            self._cursor, self._at = now, time.monotonic()
            if changed:
                self._generation += 1
                self._sorted = [self._known[k][1] for k in sorted(self._known)]
            return str(self._generation), self._sorted

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
