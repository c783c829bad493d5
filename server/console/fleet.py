"""``/``: every station in a table and on a map, worst first, live."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from server.api.deps import SessionDep, SettingsDep, StoreDep
from server.console.access import PagePrincipal
from server.console.fleet_view import (
    LEVEL_ORDER,
    Flag,
    FleetQuery,
    Row,
    Sort,
    StateFilter,
    areas_of,
    counts_by_level,
    parse_query,
    select_rows,
)
from server.console.snapshot import ConsoleFleet
from server.console.templating import render
from server.settings import ServerSettings

router = APIRouter(include_in_schema=False)
# The table shows the worst (or first, in the chosen order) this many; "all" shows every one.
# The map always draws every matching station.
TABLE_ROWS = 200


def console_fleet(request: Request) -> ConsoleFleet:
    fleet: ConsoleFleet = request.app.state.console_fleet
    return fleet


def markers(rows: list[Row]) -> list[dict[str, Any]]:
    """What the map draws: only stations with coordinates."""
    return [
        {
            "id": r.id,
            "name": r.station.name,
            "lat": r.station.latitude,
            "lon": r.station.longitude,
            "level": None if r.level is None else r.level.level.value,
            "online": r.station.online,
        }
        for r in rows
        if r.station.latitude is not None and r.station.longitude is not None
    ]


def fleet_context(rows: list[Row], query: FleetQuery, settings: ServerSettings) -> dict[str, Any]:
    chosen = select_rows(rows, query)
    shown = chosen if query.all else chosen[:TABLE_ROWS]
    return {
        "rows": shown,
        "matching": len(chosen),
        "total": len(rows),
        "query": query,
        "areas": areas_of(rows),
        "counts": counts_by_level(rows),
        "levels": LEVEL_ORDER,
        "states": list(StateFilter),
        "sorts": list(Sort),
        "flags": list(Flag),
        "markers": markers(chosen),
        "all_url": "/?"
        + urlencode(
            {
                "area": query.area,
                "level": query.level,
                "state": query.state,
                "sort": query.sort.value,
                "all": "true",
            }
        ),
        "tile_url": settings.console_tile_url,
        "tile_attribution": settings.console_tile_attribution,
    }


@router.get("/", response_class=HTMLResponse)
def fleet_page(
    request: Request,
    principal: PagePrincipal,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    area: str = "",
    level: str = "",
    state: str = "",
    sort: str = "",
    all: bool = False,
) -> HTMLResponse:
    _, rows = console_fleet(request).rows(session, store, settings)
    query = parse_query(area, level, state, sort, all)
    return render(request, "fleet.html", fleet_context(rows, query, settings), principal)
