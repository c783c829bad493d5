"""A station's latest reading follows the station's own order, whatever its clock did."""

import sqlite3
from pathlib import Path

from server.store.base import StationReadings, TimeSeriesStore
from server.store.sqlite import SqliteTimeSeries
from tests.server.helpers import now_ms, reading

HOUR = 3_600_000


def sent(session: int, seq: int, *stamps: int, received_ms: int | None = None) -> StationReadings:
    readings = [reading(ts, wbgt=20.0 + i) for i, ts in enumerate(stamps)]
    return StationReadings("st-a", readings, "naka", session, seq, received_ms or now_ms())


def latest_ts(store: TimeSeriesStore) -> int | None:
    [state] = store.fleet()
    return None if state.latest is None else state.latest.ts


def test_after_a_backward_clock_step_the_newest_reading_is_the_latest(
    any_store: TimeSeriesStore,
) -> None:
    now = now_ms()
    any_store.write_batch([sent(1, 1, now - 60_000, now - 30_000)])
    # The clock is stepped 280 s back: the next readings carry older times.
    any_store.write_batch([sent(1, 2, now - 310_000, now - 280_000)])
    assert latest_ts(any_store) == now - 280_000
    assert len(any_store.readings("st-a", now - HOUR, now)) == 4


def test_a_new_session_is_newer_than_any_message_of_the_last_one(
    any_store: TimeSeriesStore,
) -> None:
    now = now_ms()
    any_store.write_batch([sent(4, 900, now - 20_000)])
    any_store.write_batch([sent(5, 1, now - 50_000)])
    assert latest_ts(any_store) == now - 50_000


def test_a_reading_from_the_future_is_kept_but_not_trusted_as_latest(
    any_store: TimeSeriesStore,
) -> None:
    now = now_ms()
    any_store.write_batch([sent(1, 1, now - 10_000)])
    any_store.write_batch([sent(1, 2, now - 5_000, now + HOUR)])  # a clock an hour ahead
    assert latest_ts(any_store) == now - 5_000
    any_store.write_batch([sent(1, 3, now + 2 * HOUR)])
    assert latest_ts(any_store) == now - 5_000
    assert [r.ts for r in any_store.readings("st-a", now + HOUR, now + 3 * HOUR)] == [
        now + HOUR,
        now + 2 * HOUR,
    ]


def test_a_reading_a_little_ahead_is_within_the_tolerance(any_store: TimeSeriesStore) -> None:
    now = now_ms()
    any_store.write_batch([sent(1, 1, now - 10_000), sent(1, 2, now + 60_000)])
    assert latest_ts(any_store) == now + 60_000


def test_a_reading_sent_again_in_a_later_session_does_not_become_latest(tmp_path: Path) -> None:
    store = SqliteTimeSeries(tmp_path / "ts.sqlite")
    now = now_ms()
    store.write_batch([sent(1, 1, now - 20_000), sent(1, 2, now - 10_000)])
    store.write_batch([sent(2, 1, now - 20_000)])  # replayed after a restart, before its delete
    assert latest_ts(store) == now - 10_000
    store.close()


def test_an_older_store_file_gains_the_order_columns(tmp_path: Path) -> None:
    path = tmp_path / "ts.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        """CREATE TABLE readings (station TEXT NOT NULL, ts INTEGER NOT NULL,
               temp_c REAL, rh REAL, wbgt REAL, level TEXT,
               quality TEXT NOT NULL, time_source TEXT NOT NULL,
               PRIMARY KEY (station, ts)) WITHOUT ROWID;
           INSERT INTO readings VALUES ('st-a', 1000, 30, 60, 26, 'warning', 'ok', 'synced');"""
    )
    old.close()
    store = SqliteTimeSeries(path)
    now = now_ms()
    store.write_batch([sent(1, 1, now - 1000)])
    assert len(store.readings("st-a", 0, now)) == 2
    assert latest_ts(store) == now - 1000
    store.close()


def test_a_batch_is_stored_as_its_messages_would_be_one_by_one(tmp_path: Path) -> None:
    """One statement per table per batch: the same rows, order, latest and rollup marks
    as each message in its own write, with a reading twice in the batch, one from the
    future and stations interleaved."""
    now = now_ms()
    b = StationReadings("st-b", [reading(now - 40_000, wbgt=21.0)], "naka", 1, 1, now)
    batch = [
        sent(1, 1, now - 30_000, now - 20_000),
        b,
        sent(1, 2, now - 20_000, now + HOUR),  # sent again with new values; then the future
        StationReadings("st-b", [reading(now - 2 * HOUR, wbgt=22.0)], "naka", 1, 2, now),
        sent(1, 3, received_ms=now + 5_000),  # no readings: seen when it arrived
    ]
    whole, one_by_one = (SqliteTimeSeries(tmp_path / f"{n}.sqlite") for n in ("a", "b"))
    whole.write_batch(batch)
    for item in batch:
        one_by_one.write_batch([item])
    assert whole.fleet() == one_by_one.fleet()
    for station in ("st-a", "st-b"):
        assert whole.readings(station, 0, now + 2 * HOUR) == one_by_one.readings(
            station, 0, now + 2 * HOUR
        )
    tables = ("readings", "station_status", "rollup_dirty")
    for table in tables:
        query = f"SELECT * FROM {table} ORDER BY 1, 2"
        assert whole._db.execute(query).fetchall() == one_by_one._db.execute(query).fetchall()
    whole.close()
    one_by_one.close()
