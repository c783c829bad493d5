"""The fleet's changes for every open fleet page: ``station_latest``'s change feed, followed
once for the whole process.

A page loads the compact view (``GET /api/v1/stations?view=compact``) and renders it itself;
after that it needs only the stations that changed. Looking the feed up per page would cost
one query per page per look, and the feed's overlap (``api_fleet_change_overlap_s``) would
send every page each change again for ten seconds. So one look per ``ttl_s`` serves every
page of the process: it keeps each station's compact row as sent, and a row that came back
unchanged (through the overlap) is no change. Each look that changed something is one
generation; a page's stream asks for the rows changed after the generation it has.
"""

import json
import threading
import time
from collections import deque
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from server.api import fleet_table
from server.api.fleet_table import FleetFilter
from server.registry.db import now_ms
from server.registry.models import Alert
from server.settings import ServerSettings

# Generations kept for pages that fall behind (at two looks a second, two minutes).
KEPT_GENERATIONS = 240


def compact_rows(rows: list[Row[Any]], now: int, offline_after_s: int) -> list[bytes]:
    """Each row as the compact view has it (``fleet_table.COMPACT_FIELDS`` order)."""
    return [
        json.dumps(
            fleet_table.compact_row(r, *fleet_table.flags(r, now, offline_after_s)),
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        for r in rows
    ]


def changes_since(session: Session, since_ms: int, settings: ServerSettings) -> list[bytes]:
    """One page's own look at the feed: what changed since its cursor (with the overlap)."""
    now, off = now_ms(), settings.offline_after_s
    overlap_ms = int(settings.api_fleet_change_overlap_s * 1000)
    rows, _ = fleet_table.fetch(session, FleetFilter(since_ms=since_ms), now, off, overlap_ms)
    return compact_rows(list(rows), now, off)


class FleetFeed:
    def __init__(self, ttl_s: float, kept: int = KEPT_GENERATIONS) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._at = -1e9
        self._cursor: int | None = None
        self._generation = 0
        self._rows: dict[str, bytes] = {}  # id → its compact row as last sent
        self._log: deque[tuple[int, list[str]]] = deque(maxlen=kept)

    def look(self, session: Session, settings: ServerSettings) -> tuple[int, int]:
        """(generation, cursor) once the feed is up to date; one look per ``ttl_s`` for all
        callers (the others wait for it and share it). Changes committed before ``cursor``
        minus the overlap are in this generation or an earlier one."""
        with self._lock:
            if self._cursor is None or time.monotonic() - self._at >= self.ttl_s:
                self._update(session, settings)
            assert self._cursor is not None
            return self._generation, self._cursor

    def _update(self, session: Session, settings: ServerSettings) -> None:
        now, off = now_ms(), settings.offline_after_s
        overlap_ms = int(settings.api_fleet_change_overlap_s * 1000)
        first = self._cursor is None
        f = FleetFilter() if first else FleetFilter(since_ms=self._cursor)
        rows, _ = fleet_table.fetch(session, f, now, off, overlap_ms)
        changed = []
        for r, compact in zip(rows, compact_rows(list(rows), now, off), strict=True):
            if self._rows.get(r.id) != compact:
                self._rows[r.id] = compact
                changed.append(r.id)
        if changed and not first:
            self._generation += 1
            self._log.append((self._generation, changed))
        self._cursor, self._at = now, time.monotonic()

    def changes(self, after: int) -> list[bytes] | None:
        """The rows changed in the generations after ``after``; None when the kept
        generations no longer reach back that far (the caller looks for itself)."""
        with self._lock:
            if after >= self._generation:
                return []
            if not self._log or self._log[0][0] > after + 1:
                return None
            ids = dict.fromkeys(i for g, changed in self._log if g > after for i in changed)
            return [self._rows[i] for i in ids]


def open_alert_count(session: Session) -> int:
    """The inbox: open alerts nobody has acknowledged yet."""
    query = select(func.count(Alert.id)).where(
        Alert.cleared_at.is_(None), Alert.acknowledged_at.is_(None)
    )
    return session.scalar(query) or 0
