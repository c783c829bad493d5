"""The official word as it stands, read back from what the importer kept: today's and
tomorrow's flags, the day's forecast maximum, and which files could not be used."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.levels import Level, level_for
from server.official.alerts import parse_alerts
from server.official.decide import Applied, DayFlags, flags_for_day
from server.official.errors import OfficialDataError
from server.official.forecast import Forecast, parse_forecast
from server.official.importer import FileKind, Status
from server.official.site import forecast_path
from server.registry.models import OfficialFile
from server.registry.official import applied_on


@dataclass(frozen=True)
class FileProblem:
    path: str
    status: Status
    checked_at_ms: int
    reason: str


@dataclass(frozen=True)
class OfficialState:
    today: DayFlags | None
    tomorrow: DayFlags | None
    applied_today: Applied | None
    forecast: Forecast | None
    forecast_max_today: float | None
    problems: list[FileProblem]

    @property
    def forecast_level_today(self) -> Level | None:
        return None if self.forecast_max_today is None else level_for(self.forecast_max_today)


def official_state(session: Session, point: str, area: str, now: datetime) -> OfficialState:
    today = now.date()
    files = {f.path: f for f in session.scalars(select(OfficialFile))}
    flags_today, flags_tomorrow = _newest_flags(files, area, today)
    forecast = None
    kept = files.get(forecast_path(point))
    if kept is not None and kept.good_body is not None:
        try:
            forecast = parse_forecast(kept.good_body, point)
        except OfficialDataError:
            forecast = None  # the point setting changed since this copy was kept
    problems = [
        FileProblem(f.path, Status(f.status), f.checked_at, f.reason)
        for f in files.values()
        if f.status in (Status.REFUSED.value, Status.UNREACHABLE.value)
    ]
    return OfficialState(
        flags_today,
        flags_tomorrow,
        applied_on(session, today),
        forecast,
        None if forecast is None else forecast.daily_max(today),
        sorted(problems, key=lambda p: p.path),
    )


def _newest_flags(
    files: dict[str, OfficialFile], area: str, today: date
) -> tuple[DayFlags | None, DayFlags | None]:
    # Alert paths sort by issue time: alert/dl/YYYY/alert_YYYYMMDD_HH.csv
    alert_files = sorted(
        (f for f in files.values() if f.kind == FileKind.ALERT.value and f.good_body),
        key=lambda f: f.path,
        reverse=True,
    )
    for kept in alert_files:
        assert kept.good_body is not None
        try:
            file = parse_alerts(kept.good_body)
            return (
                flags_for_day(file, area, today),
                flags_for_day(file, area, today + timedelta(days=1)),
            )
        except OfficialDataError:
            continue
    return None, None
