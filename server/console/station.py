"""``/stations/{id}``: charts, latest health, alerts, receipts, registry fields and export."""

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from contract.levels import LEVELS, ordered_levels
from server.api import fleet_table
from server.api.alerts import alert_out, find_alerts
from server.api.deps import SessionDep, SettingsDep, StoreDep
from server.api.fleet import station_out
from server.api.receipts import receipt_out
from server.api.schemas import StationOut
from server.api.stations import known_station
from server.console.access import PagePrincipal, may_write
from server.console.fleet_view import row_of
from server.console.official import station_check
from server.console.templating import render
from server.official.compare import MIN_HOURS
from server.registry import receipts
from server.registry.db import now_ms
from server.registry.models import Area, Exposure, Station
from server.registry.tokens import Principal

router = APIRouter(include_in_schema=False)
RECEIPTS_DAYS = 7
RECEIPTS_SHOWN = 100
ALERTS_SHOWN = 50
HEALTH_ORDER = (
    "outbox_depth",
    "outbox_evicted",
    "sensor_ok",
    "sensor_errors",
    "clock_synced",
    "cpu_temp_c",
    "load_1m",
    "mem_used_pct",
    "disk_used_pct",
    "disk_free_mb",
    "wifi_rssi_dbm",
    "undervoltage",
    "throttled",
    "uptime_s",
    "session",
)


def level_bands() -> list[dict[str, Any]]:
    """The chart's background bands, from the contract's bounds and colours."""
    bands = []
    levels = ordered_levels()
    for i, level in enumerate(levels):
        info = LEVELS[level]
        upper = LEVELS[levels[i + 1]].lower_bound_c if i + 1 < len(levels) else None
        bands.append(
            {
                "level": level.value,
                "from": info.lower_bound_c,
                "to": upper,
                "colour": info.colour,
                "name_ja": info.name_ja,
                "name_en": info.name_en,
            }
        )
    return bands


def station_context(
    request: Request,
    station_id: str,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    principal: Principal,
) -> dict[str, Any]:
    now = now_ms()
    found = fleet_table.one(session, station_id, now, settings.offline_after_s)
    station: Station | None
    if found is not None:
        station = session.get(Station, station_id)
        out = StationOut.model_validate(found)
    else:  # reported, never registered (or 404)
        station = known_station(session, store, station_id)
        state = next((s for s in store.fleet() if s.station == station_id), None)
        out = station_out(station, state, now, settings.offline_after_s)
    health = store.latest_health(station_id)
    depth = None if health is None else health.fields.get("outbox_depth")
    row = row_of(out, None if depth is None else int(depth), now, settings.offline_after_s)
    alerts = [
        alert_out(a)
        for a in find_alerts(session, open=False, station=station_id, limit=ALERTS_SHOWN)
    ]
    shown = receipts.for_station(
        session, station_id, now - RECEIPTS_DAYS * 86_400_000, now + 60_000, 10_000
    )
    health_fields = []
    if health is not None:
        known = [k for k in HEALTH_ORDER if k in health.fields]
        extra = sorted(k for k in health.fields if k not in HEALTH_ORDER)
        health_fields = [(k, health.fields[k]) for k in known + extra]
    areas = list(session.scalars(select(Area).order_by(Area.id)))
    return {
        "station": out,
        "enrolled": isinstance(station, Station),
        "row": row,
        "health": health,
        "health_fields": health_fields,
        "open_alerts_here": [a for a in alerts if a.cleared_at is None],
        "past_alerts": [a for a in alerts if a.cleared_at is not None],
        "receipts": [receipt_out(r) for r in reversed(shown[-RECEIPTS_SHOWN:])],
        "receipt_days": RECEIPTS_DAYS,
        "bands_json": json.dumps(level_bands(), ensure_ascii=False),
        "areas": areas,
        "exposures": list(Exposure),
        "can_write": may_write(principal),
        "form_errors": {},
        "saved": request.query_params.get("saved") == "1",
        "settings_days": settings.official_check_days,
        "official_min_hours": MIN_HOURS,
        "official_check": station_check(session, store, settings, station)
        if isinstance(station, Station)
        else None,
    }


@router.get("/stations/{station_id}", response_class=HTMLResponse)
def station_page(
    request: Request,
    station_id: str,
    principal: PagePrincipal,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
) -> HTMLResponse:
    if len(station_id) > 64:
        raise HTTPException(404, "no such station")
    context = station_context(request, station_id, session, store, settings, principal)
    return render(request, "station.html", context, principal)
