"""Stations: the fleet, enrolment and edits (their data: ``server.api.station_data``)."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from contract.levels import Level
from contract.messages import Quality
from server.api import fleet_table
from server.api.cache import Cached, FleetCache
from server.api.deps import (
    FleetCacheDep,
    Reader,
    RegistryDep,
    SessionDep,
    SettingsDep,
    Staff,
    StoreDep,
)
from server.api.fleet import is_held_back, may_be_held_back, station_out
from server.api.fleet_table import NO_LEVEL, FleetFilter
from server.api.schemas import (
    CompactFleetOut,
    CountInQuery,
    IdInPath,
    IdInQuery,
    StationIn,
    StationOut,
    StationPatch,
)
from server.api.timerange import to_ms
from server.registry import latest as latest_registry
from server.registry.db import Registry, now_ms
from server.registry.models import EnrolmentState, Station
from server.registry.stations import audit
from server.settings import ServerSettings
from server.store.base import LatestState, TimeSeriesStore

router = APIRouter(prefix="/api/v1/stations", tags=["stations"])


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


# One station's answer is serialised once, by pydantic-core (the console's station pages).
STATIONS_JSON = TypeAdapter(list[StationOut])


class FleetView(StrEnum):
    FULL = "full"  # one object per station, as StationOut
    COMPACT = "compact"  # {"fields": [...], "rows": [[...]], "cursor": …}: the console's


LEVEL_PATTERN = "^(" + "|".join([*(level.value for level in Level), NO_LEVEL]) + ")$"
CURSOR_HEADER = "Fleet-Cursor"


@router.get(
    "",
    summary="The fleet's latest state: filtered, paged, or only what changed",
    description=(
        "Filters and paging run in the database. `since` takes the `Fleet-Cursor` header"
        " (or the compact view's `cursor`) of an earlier answer and returns only the"
        " stations that changed since, retired ones included. Whole-fleet answers carry an"
        " ETag: `If-None-Match` with it answers 304 while nothing changed."
    ),
    response_model=list[StationOut] | CompactFleetOut,
    responses={304: {"description": "Unchanged since the ETag given in If-None-Match"}},
)
def fleet(
    _: Reader,
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    cache: FleetCacheDep,
    include_retired: bool = False,
    area: IdInQuery = None,
    level: Annotated[str | None, Query(pattern=LEVEL_PATTERN)] = None,
    online: bool | None = None,
    quality: Quality | None = None,
    after: IdInQuery = None,
    limit: Annotated[int | None, Query(ge=1, le=5000)] = None,
    since: CountInQuery = None,
    view: FleetView = FleetView.FULL,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    f = FleetFilter(
        area=area,
        level=level,
        online=online,
        quality=None if quality is None else quality.value,
        include_retired=include_retired,
        after=after,
        limit=limit,
        since_ms=since,
    )
    cached = f in (
        FleetFilter(include_retired=include_retired),
        FleetFilter(area=area, include_retired=include_retired),
    )
    answer = fleet_answer(registry, settings, cache if cached else None, f, view)
    headers = {CURSOR_HEADER: str(answer.cursor), "Cache-Control": "no-cache"}
    if answer.next_after is not None:
        headers["Link"] = f'<{next_page(request, answer.next_after)}>; rel="next"'
    if since is None:
        headers["ETag"] = answer.etag
        if if_none_match is not None and answer.etag in (
            t.strip() for t in if_none_match.split(",")
        ):
            return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type="application/json", headers=headers)


def next_page(request: Request, after: str) -> str:
    return str(request.url.include_query_params(after=after))


def fleet_answer(
    registry: Registry,
    settings: ServerSettings,
    cache: FleetCache | None,
    f: FleetFilter,
    view: FleetView = FleetView.FULL,
) -> Cached:
    """One view of the fleet. With a cache (only for the whole fleet or one area), the
    whole fleet is brought up to date at most once per cache period, in the background,
    and an area is cut from it."""
    offline_after_s = settings.offline_after_s
    overlap_ms = int(settings.api_fleet_change_overlap_s * 1000)

    def compute() -> tuple[bytes, int, str | None, str | None]:
        now = now_ms()
        with registry.session() as session:
            rows, next_after = fleet_table.fetch(session, f, now, offline_after_s, overlap_ms)
        if view is FleetView.COMPACT:
            body = fleet_table.compact(rows, now, offline_after_s, now, next_after)
        else:
            body = fleet_table.full(rows, now, offline_after_s)
        return body, now, next_after, None

    if cache is None:
        return FleetCache(0).entry(None, compute)
    snapshot = cache.snapshot(view is FleetView.COMPACT, f.include_retired)

    def refresh() -> tuple[bytes, int, str | None, str | None]:
        with registry.session() as session:
            body, cursor, etag = snapshot.refresh(session, now_ms(), offline_after_s, overlap_ms)
        return body, cursor, None, etag

    whole = cache.entry((f.include_retired, view), refresh)
    if f.area is None:
        return whole
    body, cursor, etag = snapshot.area(f.area)
    return Cached(body, etag, cursor, whole.at)


@router.get("/{station_id}")
def one_station(
    station_id: IdInPath, _: Reader, store: StoreDep, settings: SettingsDep, session: SessionDep
) -> StationOut:
    found = fleet_table.one(session, station_id, now_ms(), settings.offline_after_s)
    if found is not None:
        return StationOut.model_validate(found)
    station = known_station(session, store, station_id)  # reported, never registered
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
    latest_registry.touch(session, body.id, now_ms())
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
    latest_registry.touch(session, station_id, now_ms())
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
    latest_registry.touch(session, station_id, now_ms())
    cache.clear()
    return Response(status_code=204)
