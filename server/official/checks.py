"""Every station's hourly estimate against the official observed WBGT of its nearest official
point, over the last days: a consistent difference raises a data-quality alert for staff."""

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from contract.jst import JST
from server.alerts.book import AlertBook
from server.alerts.rules import Condition, StationAlertKind
from server.official.compare import Comparison, OfficialPoint, compare, nearest_point
from server.official.errors import OfficialDataError
from server.official.importer import OfficialMemory
from server.official.observed import parse_observed
from server.official.site import observed_path
from server.registry.db import Registry
from server.registry.models import EnrolmentState, Station
from server.store.base import TimeSeriesStore

HOUR_MS = 3_600_000


@dataclass(frozen=True)
class StationCheck:
    station: str
    comparison: Comparison


def official_hourly(
    kept: Callable[[str], bytes | None], point: str, start: datetime, end: datetime
) -> dict[datetime, float]:
    """The kept observed values of ``point`` in [start, end), from each month's file."""
    values: dict[datetime, float] = {}
    month = start.date().replace(day=1)
    while month <= end.date():
        body = kept(observed_path(point, month))
        if body is not None:
            # A kept good copy always parsed; a changed point setting may not find its column.
            with suppress(OfficialDataError):
                values.update(parse_observed(body, point))
        month = (month + timedelta(days=32)).replace(day=1)
    return {at: v for at, v in values.items() if start < at <= end}


def station_hourly(
    store: TimeSeriesStore, station: str, start: datetime, end: datetime
) -> dict[datetime, float]:
    """Hourly mean WBGT keyed like the official file: by the end of the hour."""
    buckets = store.aggregate(
        station, int(start.timestamp() * 1000), int(end.timestamp() * 1000), 3600
    )
    return {
        datetime.fromtimestamp((b.start_ms + HOUR_MS) / 1000, JST): b.wbgt[1]
        for b in buckets
        if b.wbgt is not None
    }


def check_stations(
    registry: Registry,
    store: TimeSeriesStore,
    memory: OfficialMemory,
    book: AlertBook,
    points: Sequence[OfficialPoint],
    now: datetime,
    days: int,
    threshold_c: float,
) -> list[StationCheck]:
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    with registry.session() as session:
        stations = list(
            session.scalars(select(Station).where(Station.state == EnrolmentState.ACTIVE.value))
        )
    official_by_point: dict[str, dict[datetime, float]] = {}
    checks = []
    for station in stations:
        point = nearest_point(points, station.latitude, station.longitude)
        if point.number not in official_by_point:
            official_by_point[point.number] = official_hourly(
                memory.good_body, point.number, start, end
            )
        comparison = compare(
            point.number,
            station_hourly(store, station.id, start, end),
            official_by_point[point.number],
        )
        active = {}
        if comparison.biased(threshold_c):
            active[StationAlertKind.OFFICIAL_BIAS] = Condition(
                StationAlertKind.OFFICIAL_BIAS,
                "warning",
                f"暑さ指数の推定が公式値（{point.name_ja} {point.number}）より平均 "
                f"{comparison.mean_difference_c:+.1f} ℃ ずれています（{comparison.hours} 時間）。"
                "日なた・排気の近く・故障を確認してください / the estimate runs "
                f"{comparison.mean_difference_c:+.1f} °C off the official value of "
                f"{point.number} over {comparison.hours} hours: check for sun, exhaust or a fault",
            )
        book.sync(station.id, {StationAlertKind.OFFICIAL_BIAS}, active)
        checks.append(StationCheck(station.id, comparison))
    return checks
