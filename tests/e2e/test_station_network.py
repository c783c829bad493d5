"""What ./scripts/demo runs: simulated stations → real Mosquitto → ingest → the REST API."""

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from contract.codec import decode
from contract.levels import Level, level_for
from contract.messages import Quality, Reading, Telemetry
from contract.topics import StationTopic, station_topic
from devnet.network import DEMO_STATIONS, SERVER_USER, StationNetwork
from sensors.heat import estimate_wbgt
from sensors.heat.hysteresis import DEFAULT_HYSTERESIS_C
from tests.e2e.helpers import (
    api_get,
    epoch_ms,
    mqtt_session,
    publish,
    rejections,
    station_network,
    wait_for,
)

WATCHED = DEMO_STATIONS[0]  # its readings are followed from the broker to the API
VANDALISED = DEMO_STATIONS[2]  # silenced, then sent malformed messages with its own password


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationNetwork]:
    with station_network(tmp_path_factory.mktemp("network")) as net:
        yield net


def api_reading(network: StationNetwork, station: str, ts: int) -> dict[str, Any] | None:
    rows = api_get(network, f"/api/v1/stations/{station}/readings")
    return next((row for row in rows if epoch_ms(row["time"]) == ts), None)


def fleet_entry(network: StationNetwork, station: str) -> dict[str, Any] | None:
    fleet = api_get(network, "/api/v1/stations")
    return next((entry for entry in fleet if entry["id"] == station), None)


def assert_same_values(row: dict[str, Any], reading: Reading) -> None:
    assert row["time"].endswith("+09:00"), "the API shows times in JST"
    assert epoch_ms(row["time"]) == reading.ts
    assert (row["temp_c"], row["rh"], row["wbgt"]) == (reading.temp_c, reading.rh, reading.wbgt)
    assert row["level"] == reading.level
    assert row["quality"] == reading.quality


def test_a_reading_from_a_station_comes_back_from_the_api(network: StationNetwork) -> None:
    topic = station_topic(WATCHED.id, StationTopic.TELEMETRY)
    published: dict[int, Reading] = {}
    with mqtt_session(network, SERVER_USER, subscribe=topic) as (_, received):

        def next_reading() -> Reading | None:
            while not received.empty():
                for reading in decode(Telemetry, bytes(received.get().payload)).readings:
                    published[reading.ts] = reading
            good = [r for r in published.values() if r.quality is not Quality.FAULT]
            return max(good, key=lambda r: r.ts) if good else None

        reading = wait_for("a reading on the broker", next_reading)
        row = wait_for(
            "the reading in the API", lambda: api_reading(network, WATCHED.id, reading.ts)
        )
        assert_same_values(row, reading)

        def latest_known() -> dict[str, Any] | None:
            next_reading()
            entry = fleet_entry(network, WATCHED.id)
            latest = entry and entry["latest"]
            return entry if latest and epoch_ms(latest["time"]) in published else None

        entry = wait_for("the station's latest reading in the fleet", latest_known)
    assert entry["online"] is True
    assert_same_values(entry["latest"], published[epoch_ms(entry["latest"]["time"])])

    # The numbers are the heat core's: WBGT from the chart, and a level that fits it.
    assert reading.temp_c is not None
    assert reading.rh is not None
    assert reading.wbgt is not None
    assert reading.wbgt == estimate_wbgt(reading.temp_c, reading.rh).wbgt_c
    assert reading.level in {
        level_for(reading.wbgt),
        level_for(reading.wbgt + DEFAULT_HYSTERESIS_C),
    }
    assert Level(row["level"]).rank >= level_for(reading.wbgt).rank


def telemetry(ts: int, **reading: Any) -> dict[str, Any]:
    values = {"ts": ts, "temp_c": 30.0, "rh": 60.0, "wbgt": 26.0, "level": "warning"} | reading
    return {"v": 1, "session": 99, "seq": 1, "readings": [values]}


def snapshot(network: StationNetwork, station: str) -> tuple[int, Any]:
    rows = api_get(network, f"/api/v1/stations/{station}/readings")
    entry = fleet_entry(network, station)
    return len(rows), entry and entry["latest"]


def test_malformed_messages_change_nothing_and_are_logged(network: StationNetwork) -> None:
    station = VANDALISED.id
    topic = station_topic(station, StationTopic.TELEMETRY)
    wait_for(
        "the station's first reading", lambda: (fleet_entry(network, station) or {}).get("latest")
    )
    network.children.stop(station)  # silence the station so its data must stay still

    def settled() -> tuple[int, Any] | None:
        before = snapshot(network, station)
        # Longer than the API's fleet cache (2 s): a change must show within the pause.
        time.sleep(3.0)
        return before if snapshot(network, station) == before else None

    before = wait_for("the station's data to settle", settled, timeout_s=40.0)
    later = int(time.time() * 1000)  # newer than anything the station sent
    malformed = {
        "encoding": b"\xff\xfe\x00\x01 not text at all",
        "json": b'{"v":1,"session":99,"seq":1,"readings":[{"ts":',
        "version": json.dumps(telemetry(later) | {"v": 2}).encode(),
        "schema": json.dumps(telemetry(later + 1, rh=150)).encode(),
    }
    unknown_field = json.dumps(telemetry(later + 2) | {"colour": "red"}).encode()
    with mqtt_session(network, station) as (client, _):
        for payload in [*malformed.values(), unknown_field]:
            publish(client, topic, payload)

        log = network.workdir / "logs" / "ingest.log"
        reasons = wait_for(
            "the ingest log to name every rejection",
            lambda: found if len(found := rejections(log, topic)) >= 5 else None,
        )
        assert reasons == [*malformed, "schema"]
        assert snapshot(network, station) == before
        assert not network.children.dead(), "bad input must not stop any process"

        # The same path still takes a good reading afterwards.
        good = later + 3
        publish(client, topic, json.dumps(telemetry(good)).encode())
        row = wait_for(
            "a good reading after the bad ones", lambda: api_reading(network, station, good)
        )
    assert (row["temp_c"], row["rh"], row["level"]) == (30.0, 60.0, "warning")
    assert snapshot(network, station)[0] == before[0] + 1
