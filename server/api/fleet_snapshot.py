"""The whole fleet's answer, kept up to date from its own change feed.

The first refresh renders every station; each later one asks ``station_latest`` only for
the stations that changed since the previous refresh (``FleetFilter.since_ms``: new rows,
registry edits, flags that turned with time), re-renders those and joins the kept
fragments. A refresh thus costs what changed plus one join of the bytes, not the fleet's
size in Python objects. Every ``FULL_EVERY_S`` it renders everything again anyway.
"""

import hashlib
import json
import threading
import time
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from server.api import fleet_table
from server.api.fleet_table import AREA_AT, COMPACT_FIELDS, FleetFilter
from server.registry.models import EnrolmentState

FULL_EVERY_S = 600.0
_FIELDS_JSON = json.dumps(COMPACT_FIELDS, separators=(",", ":")).encode()


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class FleetSnapshot:
    def __init__(self, compact: bool, include_retired: bool) -> None:
        self.compact = compact
        self.include_retired = include_retired
        self._lock = threading.Lock()
        self._fragments: dict[str, bytes] = {}
        self._basis: dict[str, tuple[Any, ...]] = {}  # what each fragment was rendered from
        self._order: list[str] = []
        self._cursor: int | None = None
        self._full_at = 0.0
        self._etag = ""
        self._areas: dict[str | None, list[str]] = {}  # area → its stations, in id order

    def _render(self, r: Row[Any], online: bool, held: bool) -> bytes:
        if self.compact:
            return _dumps(fleet_table.compact_row(r, online, held))
        return _dumps(fleet_table.station_dict(r, online, held))

    def refresh(
        self, session: Session, now_ms: int, offline_after_s: int, overlap_ms: int
    ) -> tuple[bytes, int, str]:
        """(body, cursor, ETag) as of ``now_ms``; the ETag follows the stations only."""
        with self._lock:
            full = self._cursor is None or time.monotonic() - self._full_at >= FULL_EVERY_S
            f = (
                FleetFilter(include_retired=self.include_retired)
                if full
                else FleetFilter(since_ms=self._cursor)
            )
            rows, _ = fleet_table.fetch(session, f, now_ms, offline_after_s, overlap_ms)
            if full:
                self._fragments, self._basis, self._full_at = {}, {}, time.monotonic()
            changed, reorder = full, full
            for r in rows:
                if r.state == EnrolmentState.RETIRED.value and not self.include_retired:
                    self._basis.pop(r.id, None)
                    if self._fragments.pop(r.id, None) is not None:
                        changed = reorder = True
                    continue
                online, held = fleet_table.flags(r, now_ms, offline_after_s)
                basis = (*r, online, held)
                if self._basis.get(r.id) == basis:
                    continue  # seen again through the feed's overlap
                self._basis[r.id] = basis
                reorder |= r.id not in self._fragments
                self._fragments[r.id] = self._render(r, online, held)
                changed = True
            if reorder:
                self._order = sorted(self._fragments)
            if changed:
                areas: dict[str | None, list[str]] = {}
                for i in self._order:
                    areas.setdefault(self._basis[i][AREA_AT], []).append(i)
                self._areas = areas
            stations = b",".join([self._fragments[i] for i in self._order])
            if changed or not self._etag:
                self._etag = '"' + hashlib.blake2b(stations, digest_size=16).hexdigest() + '"'
            self._cursor = now_ms
            return self._wrap(stations, now_ms), now_ms, self._etag

    def area(self, area: str) -> tuple[bytes, int, str]:
        """(body, cursor, ETag) of one area's stations, as of the last refresh."""
        with self._lock:
            stations = b",".join([self._fragments[i] for i in self._areas.get(area, [])])
            cursor = self._cursor or 0
        etag = '"' + hashlib.blake2b(stations, digest_size=16).hexdigest() + '"'
        return self._wrap(stations, cursor), cursor, etag

    def _wrap(self, stations: bytes, cursor: int) -> bytes:
        """The joined stations as the view's body."""
        if not self.compact:
            return b"[" + stations + b"]"
        return b"".join(
            [
                *(b'{"fields":', _FIELDS_JSON, b',"rows":[', stations),
                *(b'],"cursor":', str(cursor).encode(), b',"next_after":null}'),
            ]
        )
