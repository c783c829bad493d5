"""Long histories come from hourly rollups, and answer exactly as the raw readings do."""

from pathlib import Path

import pytest

from server.store.base import Bucket, StationReadings, TimeSeriesStore
from server.store.sqlite import SqliteTimeSeries
from tests.server.helpers import now_ms, reading

HOUR = 3_600_000


def hourly_by_hand(
    readings: list[tuple[int, float]],
) -> list[tuple[int, int, tuple[float, float, float]]]:
    hours: dict[int, list[float]] = {}
    for ts, wbgt in readings:
        hours.setdefault(ts - ts % HOUR, []).append(wbgt)
    return [(h, len(v), (min(v), sum(v) / len(v), max(v))) for h, v in sorted(hours.items())]


def summary(buckets: list[Bucket]) -> list[tuple[int, int, tuple[float, float, float] | None]]:
    def rounded(t: tuple[float, float, float] | None) -> tuple[float, float, float] | None:
        return None if t is None else (round(t[0], 6), round(t[1], 6), round(t[2], 6))

    return [(b.start_ms, b.count, rounded(b.wbgt)) for b in buckets]


def test_a_late_outbox_shows_in_the_hourly_history_before_and_after_housekeeping(
    any_store: TimeSeriesStore,
) -> None:
    now = now_ms()
    start = now - now % HOUR - 5 * HOUR
    first = [(start + i * 600_000, 20.0 + i % 7) for i in range(30)]  # five hours, 10-min
    any_store.write_batch([StationReadings("st-a", [reading(t, wbgt=w) for t, w in first])])
    any_store.maintain()  # what ingest does every minute
    # The station was offline: its outbox arrives late, into hours already rolled up.
    late = [(start + 65_000, 31.0), (start + 2 * HOUR + 5_000, 18.0)]
    any_store.write_batch([StationReadings("st-a", [reading(t, wbgt=w) for t, w in late])])
    recent = [(now - 1000, 27.0)]  # the current hour: always from raw readings
    any_store.write_batch([StationReadings("st-a", [reading(t, wbgt=w) for t, w in recent])])
    expected = hourly_by_hand(first + late + recent)
    before = summary(any_store.aggregate("st-a", start, now + 1, 3600))
    any_store.maintain()
    after = summary(any_store.aggregate("st-a", start, now + 1, 3600))
    assert after == [(h, n, tuple(round(x, 6) for x in t)) for h, n, t in expected]
    if isinstance(any_store, SqliteTimeSeries):  # InfluxDB 1.x rolls up on housekeeping only
        assert before == after


def test_an_older_sqlite_file_gets_its_hourly_rollup_from_its_readings(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "ts.sqlite"
    store = SqliteTimeSeries(path)
    start = now_ms() // HOUR * HOUR - 30 * 24 * HOUR
    store.write_batch(
        [StationReadings("st-a", [reading(start + i * 600_000, wbgt=25.0) for i in range(144)])]
    )
    store.close()
    with sqlite3.connect(path) as db:  # as a file from before the rollup
        db.execute("DROP TABLE readings_1h")
        db.execute("DROP TABLE rollup_dirty")
    reopened = SqliteTimeSeries(path)
    try:
        days = reopened.aggregate("st-a", start, start + 2 * 24 * HOUR, 86_400)
        assert sum(b.count for b in days) == 144  # from raw readings while not rolled up
        reopened.maintain()
        hours = reopened.aggregate("st-a", start, start + 24 * HOUR, 3600)
        assert [b.count for b in hours] == [6] * 24
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT count(*) FROM readings_1h").fetchone() == (24,)
            assert db.execute("SELECT count(*) FROM rollup_dirty").fetchone() == (0,)
    finally:
        reopened.close()


@pytest.mark.parametrize(("days", "every"), [(1, "10m"), (7, "1h"), (30, "1h"), (90, "1d")])
def test_the_history_picks_its_bucket_size_from_the_range(days: int, every: str) -> None:
    from server.api.station_data import Every

    assert Every.AUTO.for_range(days * 24 * HOUR).value == every
    assert Every.MINUTE.for_range(days * 24 * HOUR) is Every.MINUTE
