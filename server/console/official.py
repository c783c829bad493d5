"""``/official``: the Ministry's word as the server holds it — today's and tomorrow's alert
flags (flag 2, 特別警戒 judged but not issued, is for staff only), what stations were given
and by whom, the forecast, how the last import went and what could not be used, and how
every station compares with the official observed value."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.jst import JST
from contract.levels import Level, level_for
from server.api.deps import SessionDep, SettingsDep, StoreDep
from server.console.access import PagePrincipal
from server.console.templating import render
from server.official.compare import MIN_HOURS, Comparison, OfficialPoint
from server.official.comparisons import station_comparison
from server.official.state import official_state
from server.official.wording import ATTRIBUTION
from server.registry.models import EnrolmentState, OfficialFile, Station
from server.settings import ServerSettings
from server.store.base import StoreUnavailableError, TimeSeriesStore

router = APIRouter(include_in_schema=False)
FILES_SHOWN = 20
FORECAST_DAYS = 3  # the file covers today to the day after tomorrow


@dataclass(frozen=True, slots=True)
class ForecastDayRow:
    day: date
    max_wbgt: float | None
    level: Level | None


@dataclass(frozen=True, slots=True)
class StationRow:
    station: Station
    point: OfficialPoint
    comparison: Comparison
    biased: bool


def station_check(
    session: Session, store: TimeSeriesStore, settings: ServerSettings, station: Station
) -> StationRow | None:
    """The station's comparison for its own page; None when the store cannot be read."""
    try:
        point, comparison = station_comparison(session, store, settings, station, datetime.now(JST))
    except StoreUnavailableError:
        return None
    return StationRow(
        station, point, comparison, comparison.biased(settings.official_bias_threshold_c)
    )


@router.get("/official", response_class=HTMLResponse)
def official_page(
    request: Request,
    principal: PagePrincipal,
    session: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
) -> HTMLResponse:
    now = datetime.now(JST)
    state = official_state(session, settings.official_point, settings.official_alert_area, now)
    days = []
    for offset in range(FORECAST_DAYS):
        day = now.date() + timedelta(days=offset)
        high = state.forecast.daily_max(day) if state.forecast is not None else None
        days.append(ForecastDayRow(day, high, None if high is None else level_for(high)))
    files = list(
        session.scalars(
            select(OfficialFile).order_by(OfficialFile.checked_at.desc()).limit(FILES_SHOWN)
        )
    )
    stations = list(
        session.scalars(
            select(Station).where(Station.state == EnrolmentState.ACTIVE.value).order_by(Station.id)
        )
    )
    rows: list[StationRow] = []
    store_down = ""
    try:
        for station in stations:
            point, comparison = station_comparison(session, store, settings, station, now)
            biased = comparison.biased(settings.official_bias_threshold_c)
            rows.append(StationRow(station, point, comparison, biased))
    except StoreUnavailableError as exc:
        store_down = str(exc)
    point_names = {p.number: p.name_ja for p in settings.official_points}
    context = {
        "state": state,
        "today": now.date(),
        "forecast_days": [d for d in days if d.max_wbgt is not None],
        "files": files,
        "last_checked": max((f.checked_at for f in files), default=None),
        "rows": rows,
        "store_down": store_down,
        "settings": settings,
        "point_name": point_names.get(settings.official_point, ""),
        "attribution": ATTRIBUTION,
        "min_hours": MIN_HOURS,
    }
    return render(request, "official/page.html", context, principal)
