"""The fleet view from one query: registry entries joined with ``station_latest``.

Rows go straight to JSON (no model object per station). Filters, paging and the change
feed (``since``) run in the database; whether a station is online, or holding readings back,
is decided per row from the same rules as ``server.api.fleet``.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, case, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from contract.jst import JST  # a fixed offset: cheap when thousands of times are written
from server.api.fleet import HELD_BACK_REASON, RECENT_READING_MS
from server.registry.models import EnrolmentState, Station, StationLatest

NO_LEVEL = "none"  # the level filter's value for stations without a reading (or level)
# The compact view's columns, in order; times are UTC epoch milliseconds.
COMPACT_FIELDS = (
    "id",
    "name",
    "state",
    "area",
    "latitude",
    "longitude",
    "online",
    "last_seen_ms",
    "reading_ms",
    "temp_c",
    "rh",
    "wbgt",
    "level",
    "quality",
    "time_source",
    "held_back",
    "sensor_ok",
    "outbox_depth",
    "name_en",
)
_S, _L = Station.__table__.c, StationLatest.__table__.c
_COLUMNS = (
    _S.id,
    _S.state,
    _S.name_ja,
    _S.name_en,
    _S.names,
    _S.area_id,
    _S.address,
    _S.latitude,
    _S.longitude,
    _S.exposure,
    _S.installed_at,
    _S.retired_at,
    _L.last_seen_ms,
    _L.online,
    _L.status_session,
    _L.ts,
    _L.temp_c,
    _L.rh,
    _L.wbgt,
    _L.level,
    _L.quality,
    _L.time_source,
    _L.health_ts,
    _L.clock_synced,
    _L.sensor_ok,
    _L.outbox_depth,
)

AREA_AT = [c.name for c in _COLUMNS].index("area_id")  # its place in a row


@dataclass(frozen=True, slots=True)
class FleetFilter:
    area: str | None = None
    level: str | None = None  # a Level value or NO_LEVEL
    online: bool | None = None
    quality: str | None = None
    include_retired: bool = False
    after: str | None = None  # paging: the last id of the previous page
    limit: int | None = None
    since_ms: int | None = None  # the change feed: only what changed since this cursor
    station: str | None = None  # one station, retired or not


def online_clause(now_ms: int, offline_after_s: int) -> Any:
    """SQL: the station is online (``server.api.fleet.is_online``)."""
    return _online(now_ms, offline_after_s)


def _online(now_ms: int, offline_after_s: int) -> Any:
    cut = now_ms - offline_after_s * 1000
    return and_(
        _L.last_seen_ms.is_not(None),
        _L.last_seen_ms >= cut,
        func.coalesce(_L.online, true()) == true(),
    )


def query(f: FleetFilter, now_ms: int, offline_after_s: int, overlap_ms: int) -> Select[Any]:
    q = select(*_COLUMNS).select_from(Station).outerjoin(StationLatest, _L.station_id == _S.id)
    if f.since_ms is not None:
        # Changed rows, and rows whose "online" or "held back" turned with time alone.
        start, off = f.since_ms - overlap_ms, offline_after_s * 1000
        q = q.where(
            or_(
                _L.changed_ms >= start,
                _L.last_seen_ms.between(start - off, now_ms - off),
                _L.ts.between(start - RECENT_READING_MS, now_ms - RECENT_READING_MS),
                _L.ts.between(start - off, now_ms - off),  # a reading that became stale
            )
        )
    elif not f.include_retired and f.station is None:
        q = q.where(_S.state != EnrolmentState.RETIRED.value)
    if f.station is not None:
        q = q.where(_S.id == f.station)
    if f.area is not None:
        q = q.where(_S.area_id == f.area)
    if f.level == NO_LEVEL:
        q = q.where(_L.level.is_(None))
    elif f.level is not None:
        q = q.where(_L.level == f.level)
    if f.quality is not None:
        q = q.where(_L.quality == f.quality)
    if f.online is not None:
        online = _online(now_ms, offline_after_s)
        q = q.where(online if f.online else not_(func.coalesce(online, false())))
    if f.after is not None:
        q = q.where(_S.id > f.after)
    q = q.order_by(_S.id)
    if f.limit is not None:
        q = q.limit(f.limit + 1)  # one more: is there a next page?
    return q


def fetch(
    session: Session, f: FleetFilter, now_ms: int, offline_after_s: int, overlap_ms: int
) -> tuple[Sequence[Row[Any]], str | None]:
    """The rows, and the id to page on from (None on the last page)."""
    rows = session.execute(query(f, now_ms, offline_after_s, overlap_ms)).all()
    if f.limit is not None and len(rows) > f.limit:
        rows = rows[: f.limit]
        return rows, rows[-1][0]
    return rows, None


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, JST).isoformat()


def _flags(row: Row[Any], now_ms: int, offline_ms: int) -> tuple[bool, bool]:
    """(online, held back) of one row, as ``server.api.fleet`` decides them."""
    seen, online, ts = row.last_seen_ms, row.online, row.ts
    is_online = seen is not None and online is not False and now_ms - seen <= offline_ms
    fresh = ts is not None and now_ms - ts <= RECENT_READING_MS
    held = (
        is_online and not fresh and row.clock_synced is False and (ts is None or ts < row.health_ts)
    )
    return is_online, held


def station_dict(r: Row[Any], online: bool, held: bool) -> dict[str, Any]:
    """One row as ``StationOut`` has it, in JSON types."""
    latest = None
    if r.ts is not None:
        latest = {
            "time": _iso(r.ts),
            "temp_c": r.temp_c,
            "rh": r.rh,
            "wbgt": r.wbgt,
            "level": r.level,
            "quality": r.quality,
            "time_source": r.time_source,
        }
    return {
        "id": r.id,
        "name": r.name_ja or r.id,
        "name_ja": r.name_ja,
        "name_en": r.name_en,
        "names": r.names or {},
        "state": r.state,
        "area": r.area_id,
        "address": r.address,
        "latitude": r.latitude,
        "longitude": r.longitude,
        "exposure": r.exposure,
        "installed_at": _iso(r.installed_at),
        "retired_at": _iso(r.retired_at),
        "last_seen": _iso(r.last_seen_ms),
        "online": online,
        "session": r.status_session,
        "latest": latest,
        "held_back": held,
        "held_back_reason": HELD_BACK_REASON if held else None,
    }


def flags(r: Row[Any], now_ms: int, offline_after_s: int) -> tuple[bool, bool]:
    """(online, held back) of one row."""
    return _flags(r, now_ms, offline_after_s * 1000)


def full(rows: Sequence[Row[Any]], now_ms: int, offline_after_s: int) -> bytes:
    """The fleet as ``list[StationOut]`` has it."""
    offline_ms = offline_after_s * 1000
    out = [station_dict(r, *_flags(r, now_ms, offline_ms)) for r in rows]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode()


def compact_row(r: Row[Any], online: bool, held: bool) -> list[Any]:
    """One row of the compact view, in ``COMPACT_FIELDS`` order."""
    return [
        *(r.id, r.name_ja or r.id, r.state, r.area_id, r.latitude, r.longitude, online),
        *(r.last_seen_ms, r.ts, r.temp_c, r.rh, r.wbgt, r.level, r.quality),
        *(r.time_source, held, r.sensor_ok, r.outbox_depth, r.name_en),
    ]


def compact(
    rows: Sequence[Row[Any]], now_ms: int, offline_after_s: int, cursor: int, next_after: str | None
) -> bytes:
    """``{"fields": [...], "rows": [[...], ...], "cursor": …}``: one array per station."""
    offline_ms = offline_after_s * 1000
    table = [compact_row(r, *_flags(r, now_ms, offline_ms)) for r in rows]
    body = {"fields": COMPACT_FIELDS, "rows": table, "cursor": cursor, "next_after": next_after}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def one(
    session: Session, station_id: str, now_ms: int, offline_after_s: int
) -> dict[str, Any] | None:
    """One registered station as ``StationOut`` has it, or None."""
    rows, _ = fetch(session, FleetFilter(station=station_id), now_ms, offline_after_s, 0)
    if not rows:
        return None
    return station_dict(rows[0], *flags(rows[0], now_ms, offline_after_s))


def counts(session: Session, now_ms: int, offline_after_s: int) -> tuple[int, int]:
    """(stations that reported, of them online now)."""
    online = func.sum(case((_online(now_ms, offline_after_s), 1), else_=0))
    q = select(func.count(_L.last_seen_ms), online).select_from(StationLatest)
    total, up = session.execute(q).one()
    return int(total or 0), int(up or 0)
