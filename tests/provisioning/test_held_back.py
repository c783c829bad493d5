"""A station that reports while its clock is unsynchronised is shown as holding readings back."""

import time
import tomllib
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from contract.codec import encode
from contract.levels import Level
from contract.messages import Health, Reading, StationState, Status, Telemetry
from contract.topics import StationTopic, station_topic
from devnet.network import StationNetwork
from tests.provisioning.helpers import api, enrol


def publish(port: int, user: str, password: str, messages: list[tuple[str, bytes]]) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(user, password)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        for topic, payload in messages:
            client.publish(topic, payload, qos=1, retain=topic.endswith("status")).wait_for_publish(
                10
            )
    finally:
        client.disconnect()
        client.loop_stop()


def wait_for_station(
    server: StationNetwork, sid: str, key: str, value: object
) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while True:
        status, station = api(server, "GET", f"/stations/{sid}")
        if status == 200 and station[key] == value:
            return dict(station)
        assert time.monotonic() < deadline, f"{sid}: {key} never became {value!r}: {station}"
        time.sleep(0.3)


def test_an_unsynchronised_station_says_why_it_has_no_readings(
    server: StationNetwork, tmp_path: Path
) -> None:
    sid = "naka-unsynced"
    assert enrol(sid, tmp_path / "bundle") == 0
    password = tomllib.loads((tmp_path / "bundle/agent.toml").read_text())["broker_password"]
    assert server.broker is not None
    assert server.broker.port is not None
    now = int(time.time() * 1000)
    status = Status(state=StationState.ONLINE, session=1, ts=now, version="test", area="naka")
    health = Health(ts=now, session=1, version="test", uptime_s=30, clock_synced=False)
    publish(
        server.broker.port, sid, password,
        [(station_topic(sid, StationTopic.STATUS), encode(status)),
         (station_topic(sid, StationTopic.HEALTH), encode(health))],
    )  # fmt: skip

    station = wait_for_station(server, sid, "held_back", True)
    assert station["online"] is True
    assert station["latest"] is None
    assert "not synchronised" in str(station["held_back_reason"])
    assert str(station["held_back_reason"]).startswith("局の時計が同期していない")
    fleet = api(server, "GET", "/stations")[1]
    assert next(s for s in fleet if s["id"] == sid)["held_back"] is True

    # The clock synchronises; the held readings arrive and the note goes away.
    reading = Reading(ts=now + 1000, temp_c=30.0, rh=60.0, wbgt=27.0, level=Level.WARNING)
    telemetry = Telemetry(session=1, seq=1, readings=[reading])
    publish(
        server.broker.port, sid, password,
        [(station_topic(sid, StationTopic.TELEMETRY), encode(telemetry))],
    )  # fmt: skip
    station = wait_for_station(server, sid, "held_back", False)
    assert station["held_back_reason"] is None
