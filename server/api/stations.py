"""Stations: the fleet, enrolment and edits, readings, history, health, export."""

import csv
import io
import json
from datetime import timedelta
from enum import StrEnum

from fastapi import APIRouter, HTTPException, Response
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from server.api.cache import FleetCache
from server.api.deps import FleetCacheDep, Reader, SessionDep, SettingsDep, Staff, StoreDep
from server.api.fleet import is_held_back, may_be_held_back, merge, station_out
from server.api.schemas import (
    BucketOut,
    HealthOut,
    IdInPath,
    ReadingOut,
    StationIn,
    StationOut,
    StationPatch,
    jst,
)
from server.api.timerange import TimeQuery, time_range, to_ms
from server.registry.db import now_ms
from server.registry.models import EnrolmentState, Station
from server.registry.stations import audit, list_stations
from server.settings import ServerSettings
from server.store.base import LatestState, TimeSeriesStore

router = APIRouter(prefix="/api/v1/stations", tags=["stations"])
MAX_RANGE = timedelta(days=31)
MAX_BUCKETS = 5000


class Every(StrEnum):
    MINUTE = "1m"
    TEN_MINUTES = "10m"
    HOUR = "1h"
    DAY = "1d"

    @property
    def seconds(self) -> int:
        return {"1m": 60, "10m": 600, "1h": 3600, "1d": 86_400}[self.value]


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def known_station(session: Session, store: StoreDep, station_id: str) -> Station | None:
    station = session.get(Station, station_id)
    if station is None and station_id not in {s.station for s in store.fleet()}:
        raise HTTPException(404, f"局 {station_id!r} はありません / no station {station_id!r}")
    return station


def held_back(
    store: TimeSeriesStore, states: list[LatestState], now: int, offline_after_s: int
) -> frozenset[str]:
    """Stations that report while holding their readings back (clock not synchronised)."""
    return frozenset(
        s.station
        for s in states
        if may_be_held_back(s, now, offline_after_s)
        and is_held_back(s, store.latest_health(s.station))
    )


# Large lists are serialised once, by pydantic-core, instead of validated again by FastAPI.
STATIONS_JSON = TypeAdapter(list[StationOut])


@router.get(
    "", summary="The whole fleet's latest state in one call", response_model=list[StationOut]
)
def fleet(
    _: Reader,
    store: StoreDep,
    settings: SettingsDep,
    session: SessionDep,
    cache: FleetCacheDep,
    include_retired: bool = False,
) -> Response:
    body = fleet_json(session, store, settings, cache, include_retired)
    return Response(body, media_type="application/json")


def fleet_json(
    session: Session,
    store: TimeSeriesStore,
    settings: ServerSettings,
    cache: FleetCache,
    include_retired: bool = False,
) -> bytes:
    """The fleet as the API answers it, computed at most once per cache period."""

    def compute() -> bytes:
        states, now = store.fleet(), now_ms()
        stations = merge(
            list_stations(session),
            states,
            now,
            settings.offline_after_s,
            include_retired,
            held_back(store, states, now, settings.offline_after_s),
        )
        return STATIONS_JSON.dump_json(stations)

    return cache.get(include_retired, compute)


@router.get("/{station_id}")
def one_station(
    station_id: IdInPath, _: Reader, store: StoreDep, settings: SettingsDep, session: SessionDep
) -> StationOut:
    station = known_station(session, store, station_id)
    state = next((s for s in store.fleet() if s.station == station_id), None)
    now = now_ms()
    held = held_back(store, [state], now, settings.offline_after_s) if state else frozenset()
    return station_out(station, state, now, settings.offline_after_s, station_id in held)


def _apply(station: Station, changes: dict[str, object]) -> None:
    for key, value in changes.items():
        if key == "area":
            station.area_id = value  # type: ignore[assignment]
        elif key == "installed_at":
            station.installed_at = None if value is None else to_ms(value)  # type: ignore[arg-type]
        elif key == "exposure":
            station.exposure = str(value)
        else:
            setattr(station, key, value)


@router.post("", status_code=201, summary="Enrol a station (or complete a pending one)")
def enrol(
    body: StationIn,
    who: Staff,
    settings: SettingsDep,
    session: SessionDep,
    cache: FleetCacheDep,
) -> StationOut:
    station = session.get(Station, body.id)
    if station is not None and station.state != EnrolmentState.PENDING:
        raise HTTPException(409, f"局 {body.id!r} は登録済みです / station {body.id!r} exists")
    if station is None:
        station = Station(id=body.id, created_at=now_ms())
        session.add(station)
    station.state = EnrolmentState.ACTIVE.value
    _apply(station, body.model_dump(exclude={"id"}))
    audit(session, who.name, "station.enrol", body.id)
    cache.clear()
    session.flush()
    return station_out(station, None, now_ms(), settings.offline_after_s)


@router.patch("/{station_id}")
def edit(
    station_id: IdInPath,
    body: StationPatch,
    who: Staff,
    settings: SettingsDep,
    session: SessionDep,
    cache: FleetCacheDep,
) -> StationOut:
    station = edit_station(session, cache, station_id, body, who.name)
    return station_out(station, None, now_ms(), settings.offline_after_s)


def edit_station(
    session: Session, cache: FleetCache, station_id: str, body: StationPatch, actor: str
) -> Station:
    """Change a station's registry fields (404 if it is not enrolled); audited."""
    station = session.get(Station, station_id)
    if station is None:
        raise HTTPException(
            404, f"局 {station_id!r} は未登録です / station {station_id!r} is not enrolled"
        )
    changes = body.model_dump(exclude_unset=True)
    _apply(station, changes)
    audit(session, actor, "station.edit", station_id, ", ".join(sorted(changes)))
    cache.clear()
    return station


@router.delete("/{station_id}", status_code=204, summary="Retire a station; its data stays")
def retire(station_id: IdInPath, who: Staff, session: SessionDep, cache: FleetCacheDep) -> Response:
    station = session.get(Station, station_id)
    if station is None:
        raise HTTPException(
            404, f"局 {station_id!r} は未登録です / station {station_id!r} is not enrolled"
        )
    station.state = EnrolmentState.RETIRED.value
    station.retired_at = now_ms()
    audit(session, who.name, "station.retire", station_id)
    cache.clear()
    return Response(status_code=204)


@router.get("/{station_id}/readings", summary="Raw readings (at most 31 days)")
def station_readings(
    station_id: IdInPath,
    _: Reader,
    store: StoreDep,
    session: SessionDep,
    start: TimeQuery = None,
    end: TimeQuery = None,
) -> list[ReadingOut]:
    start_ms, end_ms = time_range(start, end, MAX_RANGE)
    readings = store.readings(station_id, start_ms, end_ms)
    if not readings:
        known_station(session, store, station_id)  # 404 for a station nobody knows
    return [ReadingOut.of(r) for r in readings]


@router.get(
    "/{station_id}/history",
    summary="min/mean/max per 1m, 10m, 1h or 1d (JST days)",
    response_model=list[BucketOut],
)
def station_history(
    station_id: IdInPath,
    _: Reader,
    store: StoreDep,
    session: SessionDep,
    every: Every = Every.TEN_MINUTES,
    start: TimeQuery = None,
    end: TimeQuery = None,
) -> Response:
    start_ms, end_ms = time_range(start, end, timedelta(seconds=every.seconds * MAX_BUCKETS))
    buckets = store.aggregate(station_id, start_ms, end_ms, every.seconds)
    if not buckets:
        known_station(session, store, station_id)

    def stat(triple: tuple[float, float, float] | None) -> dict[str, float] | None:
        return None if triple is None else {"min": triple[0], "mean": triple[1], "max": triple[2]}

    # Plain dicts in the BucketOut shape: a 7-day history is a thousand buckets.
    body = [
        {
            "time": jst(b.start_ms).isoformat(),
            "count": b.count,
            "temp_c": stat(b.temp_c),
            "rh": stat(b.rh),
            "wbgt": stat(b.wbgt),
        }
        for b in buckets
    ]
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


@router.get("/{station_id}/health", summary="The station's latest health report")
def station_health(
    station_id: IdInPath, _: Reader, store: StoreDep, session: SessionDep
) -> HealthOut:
    known_station(session, store, station_id)
    sample = store.latest_health(station_id)
    if sample is None:
        raise HTTPException(
            404, f"局 {station_id!r} の稼働情報はまだありません / no health report yet"
        )
    return HealthOut(time=jst(sample.ts), fields=sample.fields)


@router.get(
    "/{station_id}/export",
    summary="Raw readings as CSV or JSON (JST times)",
    response_model=list[ReadingOut],
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def export(
    station_id: IdInPath,
    _: Reader,
    store: StoreDep,
    session: SessionDep,
    format: ExportFormat = ExportFormat.CSV,
    start: TimeQuery = None,
    end: TimeQuery = None,
) -> Response:
    start_ms, end_ms = time_range(start, end, MAX_RANGE)
    known_station(session, store, station_id)
    rows = [ReadingOut.of(r) for r in store.readings(station_id, start_ms, end_ms)]
    stamp = jst(start_ms).strftime("%Y%m%d")  # the file name is dated in JST, like its rows
    filename = f"kyusui-{station_id}-{stamp}.{format.value}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format is ExportFormat.JSON:
        body = "[" + ",".join(r.model_dump_json() for r in rows) + "]"
        return Response(body, media_type="application/json", headers=headers)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = ["time", "temp_c", "rh", "wbgt", "level", "quality", "time_source"]
    writer.writerow(columns)
    for r in rows:
        values = r.model_dump(mode="json")
        writer.writerow(["" if values[c] is None else values[c] for c in columns])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
