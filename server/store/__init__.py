"""Storage behind small interfaces: the embedded SQLite default and production backends."""

from server.store.base import LatestState, StoredReading, TimeSeriesStore

__all__ = ["LatestState", "StoredReading", "TimeSeriesStore"]
