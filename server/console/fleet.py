"""``/``: every station in a table and on a map, worst first, live.

The page is the frame: filters, headings, and what the browser needs to draw the rows
(texts, level badges, the query). The rows come from the compact fleet view and then from
``/events`` as they change; the browser filters, orders and draws them
(``static/fleet-rows.js``, ``static/fleet-table.js``).
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.jst import JST
from contract.levels import ordered_levels
from server.api.deps import SessionDep, SettingsDep
from server.api.fleet_table import NO_LEVEL
from server.console.access import PagePrincipal
from server.console.fleet_view import LEVEL_ORDER, Flag, FleetQuery, Sort, StateFilter, parse_query
from server.console.i18n import Catalogues, request_lang
from server.console.templating import CATALOGUES, render
from server.registry.models import EnrolmentState, Station
from server.settings import ServerSettings

router = APIRouter(include_in_schema=False)
# The table shows the worst (or first, in the chosen order) this many; "all" shows every one.
# The map always draws every matching station.
TABLE_ROWS = 200
FLEET_URL = "/api/v1/stations?view=compact"
TEXTS = (
    "state.online",
    "state.offline",
    "flag.none",
    "fleet.empty",
    "fleet.total",
    "fleet.first_rows",
    *(f"flag.{f.value}" for f in Flag),
)


def areas(session: Session) -> list[str]:
    """The areas of the enrolled stations, for the area filter."""
    query = (
        select(Station.area_id)
        .where(Station.state != EnrolmentState.RETIRED.value, Station.area_id.is_not(None))
        .distinct()
    )
    return sorted(a for a in session.scalars(query) if a)


def all_url(query: FleetQuery) -> str:
    values = {"area": query.area, "level": query.level, "state": query.state}
    return "/?" + urlencode(values | {"sort": query.sort.value, "all": "true"})


def page_config(
    query: FleetQuery, settings: ServerSettings, catalogues: Catalogues, lang: str
) -> dict[str, Any]:
    """What ``fleet-table.js`` needs besides the rows."""
    offset = JST.utcoffset(None) or timedelta(0)
    return {
        "fleet_url": FLEET_URL,
        "query": {
            "area": query.area,
            "level": query.level,
            "state": query.state,
            "sort": query.sort.value,
            "all": query.all,
        },
        "table_rows": TABLE_ROWS,
        "stale_after_ms": settings.offline_after_s * 1000,
        "jst_offset_ms": int(offset.total_seconds() * 1000),
        "ranks": {lv.value: lv.rank for lv in ordered_levels()},
        "no_level": NO_LEVEL,
        "lang": lang,
        "text": {key: catalogues.text(lang, key) for key in TEXTS},
    }


@router.get("/", response_class=HTMLResponse)
def fleet_page(
    request: Request,
    principal: PagePrincipal,
    session: SessionDep,
    settings: SettingsDep,
    area: str = "",
    level: str = "",
    state: str = "",
    sort: str = "",
    all: bool = False,
) -> HTMLResponse:
    query = parse_query(area, level, state, sort, all)
    config = page_config(query, settings, CATALOGUES, request_lang(request))
    context = {
        "query": query,
        "areas": areas(session),
        "levels": LEVEL_ORDER,
        "states": list(StateFilter),
        "sorts": list(Sort),
        "config": config,
        "all_url": all_url(query),
        "tile_url": settings.console_tile_url,
        "tile_attribution": settings.console_tile_attribution,
    }
    return render(request, "fleet.html", context, principal)
