"""Stations and their readings."""

import time
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from server.api.deps import SettingsDep, StoreDep
from server.api.schemas import JST, ReadingOut, StationOut

router = APIRouter(prefix="/api/v1/stations", tags=["stations"])
MAX_RANGE = timedelta(days=31)


@router.get("")
def list_stations(store: StoreDep, settings: SettingsDep) -> list[StationOut]:
    now_ms = time.time_ns() // 1_000_000
    fresh_ms = settings.offline_after_s * 1000
    return [
        StationOut(
            id=state.station,
            name=state.station,
            last_seen=None
            if state.last_seen_ms is None
            else datetime.fromtimestamp(state.last_seen_ms / 1000, tz=JST),
            online=bool(state.online)
            and state.last_seen_ms is not None
            and now_ms - state.last_seen_ms <= fresh_ms,
            latest=None if state.latest is None else ReadingOut.of(state.latest),
        )
        for state in store.fleet()
    ]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=JST)


@router.get("/{station_id}/readings")
def station_readings(
    station_id: str,
    store: StoreDep,
    start: Annotated[datetime | None, Query(description="ISO 8601; JST if no offset")] = None,
    end: Annotated[datetime | None, Query(description="ISO 8601; JST if no offset")] = None,
) -> list[ReadingOut]:
    end_at = _aware(end) if end else datetime.now(tz=JST)
    start_at = _aware(start) if start else end_at - timedelta(days=1)
    if start_at >= end_at:
        raise HTTPException(422, "start must be before end")
    if end_at - start_at > MAX_RANGE:
        raise HTTPException(422, f"at most {MAX_RANGE.days} days per request")
    known = {s.station for s in store.fleet()}
    if station_id not in known:
        raise HTTPException(404, f"no station {station_id!r}")
    rows = store.readings(
        station_id, int(start_at.timestamp() * 1000), int(end_at.timestamp() * 1000)
    )
    return [ReadingOut.of(r) for r in rows]
