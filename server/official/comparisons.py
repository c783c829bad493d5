"""A station against its nearest official point over the last days, read from what the
importer kept: the one computation the API and the console's official page show."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from server.official.checks import official_hourly, station_hourly
from server.official.compare import Comparison, OfficialPoint, compare, nearest_point
from server.registry.models import Station
from server.registry.official import good_body
from server.settings import ServerSettings
from server.store.base import TimeSeriesStore


def station_comparison(
    session: Session,
    store: TimeSeriesStore,
    settings: ServerSettings,
    station: Station,
    now: datetime,
) -> tuple[OfficialPoint, Comparison]:
    point = nearest_point(settings.official_points, station.latitude, station.longitude)
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=settings.official_check_days)
    comparison = compare(
        point.number,
        station_hourly(store, station.id, start, end),
        official_hourly(lambda path: good_body(session, path), point.number, start, end),
    )
    return point, comparison
