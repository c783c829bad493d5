"""The time-series store the settings ask for."""

from server.settings import ServerSettings, TimeSeriesBackend
from server.store.base import TimeSeriesStore


def open_store(settings: ServerSettings) -> TimeSeriesStore:
    if settings.timeseries_backend is TimeSeriesBackend.SQLITE:
        from server.store.sqlite import SqliteTimeSeries

        return SqliteTimeSeries(settings.timeseries_path, settings.future_tolerance_s)
    from server.store.influx import InfluxTimeSeries

    return InfluxTimeSeries(settings)
