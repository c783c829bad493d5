"""A passer-by's 「具合の悪い人がいる」 reaches ward staff as an alert with the station's
name: kiosk's local state → agent → broker → ingest → the alerts staff see. Through a
broker outage, and at most once per station within the rate limit."""

import time
from collections.abc import Iterator
from typing import Any

import pytest

from devnet.network import DEMO_STATIONS, StationNetwork
from devnet.seed import seed_demo
from kiosk.source import StateSource
from localstate import open_local_state
from tests.e2e.helpers import api_get, station_network, wait_for

FIRST, SECOND = DEMO_STATIONS[0], DEMO_STATIONS[1]


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationNetwork]:
    with station_network(tmp_path_factory.mktemp("help")) as net:
        seed_demo(net)
        yield net


def press_help(network: StationNetwork, station_id: str) -> None:
    """What the kiosk's confirm button writes (kiosk.app.KioskApp.confirm_help)."""
    source = StateSource(network.workdir / "stations" / station_id)
    try:
        assert source.record_interaction("help", "ja")
    finally:
        source.close()


def reporting(network: StationNetwork, station_id: str) -> bool | None:
    """The station's agent runs and the server has its readings."""
    readings = api_get(network, f"/api/v1/stations/{station_id}/readings")
    return True if readings else None


def help_alerts(network: StationNetwork, station_id: str) -> list[dict[str, Any]]:
    alerts = api_get(network, "/api/v1/alerts", open="false", station=station_id)
    return [a for a in alerts if a["kind"] == "help"]


def sent_and_stored(network: StationNetwork, station_id: str) -> bool | None:
    opened = open_local_state(network.workdir / "stations" / station_id, create=False)
    try:
        return True if not opened.state.unpublished_interactions() else None
    finally:
        opened.state.close()


def test_a_touch_reaches_staff_with_the_station_name_and_a_second_within_the_limit_does_not(
    network: StationNetwork,
) -> None:
    wait_for("the station to report", lambda: reporting(network, FIRST.id), 60)
    press_help(network, FIRST.id)
    [alert] = wait_for(
        "the help alert", lambda: help_alerts(network, FIRST.id) or None, timeout_s=60
    )
    assert alert["severity"] == "critical"
    assert alert["title_ja"] == "具合の悪い人がいます（キオスクから）"
    assert FIRST.name_ja in alert["detail"]  # 中区役所前 給水所
    assert "横浜市中区日本大通35" in alert["detail"]  # where to send someone
    assert "119番通報ではありません" in alert["detail"]

    press_help(network, FIRST.id)
    wait_for("the second touch to be stored", lambda: sent_and_stored(network, FIRST.id), 60)
    assert len(help_alerts(network, FIRST.id)) == 1


def test_a_touch_during_a_broker_outage_arrives_once_the_broker_is_back(
    network: StationNetwork,
) -> None:
    broker = network.broker
    assert broker is not None
    wait_for("the station to report", lambda: reporting(network, SECOND.id), 60)
    broker.stop()
    try:
        press_help(network, SECOND.id)
        time.sleep(3)  # the outage goes on: nothing can arrive
        assert help_alerts(network, SECOND.id) == []
    finally:
        broker.start()
    [alert] = wait_for(
        "the help alert after the outage",
        lambda: help_alerts(network, SECOND.id) or None,
        timeout_s=90,
    )
    assert SECOND.name_ja in alert["detail"]
