"""The InfluxDB store on a real InfluxDB 1.6: v1 mode, and the v2 client through nginx."""

import uuid
from pathlib import Path

import httpx
import pytest

from contract.messages import Quality, Reading, TimeSource
from devnet.influx import InfluxDB, InfluxV2Gateway
from server.settings import ServerSettings, TimeSeriesBackend
from server.store.base import (
    StationReadings,
    StoreRejectedError,
    StoreUnavailableError,
    TimeSeriesStore,
)
from server.store.influx import InfluxTimeSeries
from server.store.influx_init import init_influx
from tests.server.conftest import influx_settings
from tests.server.helpers import now_ms, reading


def test_readings_come_back_as_they_were_written(any_store: TimeSeriesStore) -> None:
    ts = now_ms() - 10_000
    written = [
        reading(ts, temp_c=31.25, rh=55.5, wbgt=27.4),
        Reading(ts=ts + 1000, quality=Quality.FAULT, time=TimeSource.UNSYNCED),
        Reading(
            ts=ts + 2000,
            temp_c=21.0,
            rh=40.0,
            wbgt=18.0,
            level="safe",
            quality=Quality.EXTRAPOLATED,
            time=TimeSource.REDATED,
        ),
    ]
    any_store.write_batch([StationReadings("st-a", written, "naka")])
    assert any_store.readings("st-a", ts, ts + 3000) == written
    assert any_store.readings("st-b", ts, ts + 3000) == []


def test_a_replayed_outbox_overwrites_instead_of_duplicating(any_store: TimeSeriesStore) -> None:
    ts = now_ms() - 10_000
    batch = [StationReadings("st-a", [reading(ts), reading(ts + 1000)], "naka")]
    any_store.write_batch(batch)
    any_store.write_batch(batch)
    assert len(any_store.readings("st-a", ts, ts + 2000)) == 2
    [state] = any_store.fleet()
    assert (state.station, state.latest) == ("st-a", reading(ts + 1000))


def test_ten_minute_buckets_give_min_mean_max(any_store: TimeSeriesStore) -> None:
    start = (now_ms() // 3_600_000 - 2) * 3_600_000  # an hour boundary, also in JST
    any_store.write_batch(
        [
            StationReadings(
                "st-a",
                [
                    reading(start + 60_000, wbgt=20.0),
                    reading(start + 120_000, wbgt=24.0),
                    reading(start + 11 * 60_000, wbgt=30.0),
                ],
            )
        ]
    )
    any_store.maintain()  # what ingest does every minute
    buckets = any_store.aggregate("st-a", start, start + 3_600_000, 600)
    assert [(b.start_ms - start, b.count) for b in buckets] == [(0, 2), (600_000, 1)]
    assert buckets[0].wbgt == (20.0, 22.0, 24.0)
    assert buckets[1].wbgt == (30.0, 30.0, 30.0)


def test_the_v2_client_writes_through_the_v2_api(
    influxdb: InfluxDB, influx_gateway: InfluxV2Gateway
) -> None:
    v1 = influx_settings(influxdb)
    v2 = ServerSettings(
        timeseries_backend=TimeSeriesBackend.INFLUXDB,
        influx_url=influx_gateway.url,
        influx_bucket=f"{v1.influx_database}/raw",
        influx_token="unused-by-1.x",
    )
    store = InfluxTimeSeries(v2)
    ts = now_ms() - 5000
    store.write_batch([StationReadings("st-a", [reading(ts, temp_c=29.5)])])
    store.close()
    # Read back through the plain 1.x API: the data really is in the database.
    assert InfluxTimeSeries(v1).readings("st-a", ts, ts + 1) == [reading(ts, temp_c=29.5)]


def test_the_v2_client_reports_a_missing_database_instead_of_losing_data(
    influx_gateway: InfluxV2Gateway,
) -> None:
    settings = ServerSettings(
        timeseries_backend=TimeSeriesBackend.INFLUXDB,
        influx_url=influx_gateway.url,
        influx_bucket="no_such_db/raw",
        influx_token="t",
    )
    store = InfluxTimeSeries(settings)
    with pytest.raises((StoreUnavailableError, StoreRejectedError), match="database not found"):
        store.write_batch([StationReadings("st-a", [reading(now_ms())])])


@pytest.mark.services  # starts and stops an InfluxDB of its own
def test_writes_to_a_stopped_influxdb_fail_loudly(tmp_path: Path) -> None:
    instance = InfluxDB(tmp_path / "influx").start()
    settings = influx_settings(instance, influx_timeout_s=1.0)
    instance.stop()
    store = InfluxTimeSeries(settings)
    with pytest.raises(StoreUnavailableError):
        store.write_batch([StationReadings("st-a", [reading(now_ms())])])
    with pytest.raises(StoreUnavailableError):
        store.ping()


def test_a_field_type_conflict_is_a_rejection_not_an_outage(influxdb: InfluxDB) -> None:
    settings = influx_settings(influxdb)
    httpx.post(
        f"{influxdb.url}/write",
        params={"db": settings.influx_database, "rp": "raw", "precision": "ms"},
        content=f'reading,station=st-x temp_c="text" {now_ms()}',
    ).raise_for_status()
    store = InfluxTimeSeries(settings)
    with pytest.raises(StoreRejectedError, match="conflict"):
        store.write_batch([StationReadings("st-x", [reading(now_ms())])])


def test_init_sets_up_retention_and_downsampling_and_can_run_again(influxdb: InfluxDB) -> None:
    settings = ServerSettings(
        timeseries_backend=TimeSeriesBackend.INFLUXDB_V1,
        influx_url=influxdb.url,
        influx_database=f"t_{uuid.uuid4().hex[:10]}",
        influx_raw_days=14,
    )
    first = init_influx(settings)
    assert "created retention policy raw (14 days)" in first
    assert "created continuous query reading_10m" in first
    again = init_influx(settings)
    assert "retention policy rollup unchanged" in again
    assert "continuous query reading_10m unchanged" in again
    rps = influxdb.query(f'SHOW RETENTION POLICIES ON "{settings.influx_database}"').json()
    rows = {r[0]: r for r in rps["results"][0]["series"][0]["values"]}
    assert rows["raw"][1] == "336h0m0s"
    assert rows["raw"][-1] is True  # the default: writes without an RP land in raw
    assert rows["rollup"][1] == f"{3650 * 24}h0m0s"


def test_the_fleet_includes_stations_silent_for_days(any_store: TimeSeriesStore) -> None:
    now = now_ms()
    any_store.write_batch(
        [
            StationReadings("st-quiet", [reading(now - 3 * 86_400_000, wbgt=19.0)]),
            StationReadings("st-busy", [reading(now - 5000), reading(now - 1000, wbgt=30.0)]),
        ]
    )
    fleet = {s.station: s for s in any_store.fleet()}
    assert fleet["st-quiet"].latest == reading(now - 3 * 86_400_000, wbgt=19.0)
    assert fleet["st-quiet"].last_seen_ms == now - 3 * 86_400_000
    assert fleet["st-busy"].latest == reading(now - 1000, wbgt=30.0)


def test_a_late_outbox_shows_in_the_ten_minute_history_after_housekeeping(
    influxdb: InfluxDB,
) -> None:
    settings = influx_settings(influxdb)
    influx_store = InfluxTimeSeries(settings)
    # The same database read without the rollup: every bucket from the raw points.
    from_raw = InfluxTimeSeries(settings.model_copy(update={"influx_rollup_reads": False}))
    try:
        now = now_ms()
        start = now - now % 600_000 - 3 * 3_600_000
        influx_store.write_batch([StationReadings("st-a", [reading(start + 60_000, wbgt=20.0)])])
        influx_store.maintain()
        # The station was offline: its outbox arrives an hour later, into old buckets.
        late = [reading(start + 120_000, wbgt=30.0), reading(start + 1_860_000, wbgt=25.0)]
        influx_store.write_batch([StationReadings("st-a", late)])
        influx_store.maintain()
        recent = [reading(now - 1000, wbgt=28.0)]  # not yet in the rollup: read from raw
        influx_store.write_batch([StationReadings("st-a", recent)])
        buckets = influx_store.aggregate("st-a", start, now + 1, 600)
        assert [(b.start_ms - start, b.count, b.wbgt) for b in buckets[:2]] == [
            (0, 2, (20.0, 25.0, 30.0)),
            (1_800_000, 1, (25.0, 25.0, 25.0)),
        ]
        assert buckets[-1].wbgt == (28.0, 28.0, 28.0)
        assert buckets == from_raw.aggregate("st-a", start, now + 1, 600)
    finally:
        from_raw.close()
        influx_store.close()


def test_data_the_database_refuses_is_quarantined_not_retried_forever(
    influxdb: InfluxDB, sqlite_registry: object
) -> None:
    from server.ingest.handler import Incoming, MessageHandler
    from server.registry.db import Registry
    from server.registry.quarantine import count
    from tests.server.helpers import telemetry

    assert isinstance(sqlite_registry, Registry)
    settings = influx_settings(influxdb)
    # Someone wrote "level" as text into this database: InfluxDB refuses float levels now.
    httpx.post(
        f"{influxdb.url}/write",
        params={"db": settings.influx_database, "rp": "raw", "precision": "ms"},
        content=f'reading,station=other level="danger" {now_ms()}',
    ).raise_for_status()
    store = InfluxTimeSeries(settings)
    handler = MessageHandler(store, sqlite_registry)
    topic = "kyusui/v1/st/st-a/telemetry"
    handler.handle_batch(
        [Incoming(topic, telemetry(i, reading(now_ms() - i)), 0) for i in range(3)]
    )
    assert handler.stats.rejected["store_rejected"] == 3
    assert handler.stats.accepted["telemetry"] == 0
    with sqlite_registry.session() as session:
        assert count(session) == 3
