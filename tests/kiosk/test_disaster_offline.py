"""Disaster mode survives the network going away and both processes restarting: the real
agent takes the signed disaster mode from a real broker, the broker goes, the agent and the
kiosk start again, and the screen still shows it; a signed withdrawal, once the network is
back, brings the normal screen back. Screenshots in artifacts/kiosk/disaster-offline*/."""

import time
from pathlib import Path

import pytest

from contract.content import AlertKind, Emergency, HeatAlert, Shelter, emergency_id
from contract.topics import alert_topic, emergency_topic
from localstate import open_local_state
from sensors.agent import Agent
from tests.agent.conftest import (
    ContentKey,
    Listener,
    agent_settings,
    broker_for,
    new_content_key,
    running,
    wait_until,
)
from tests.kiosk.conftest import ALWAYS_ON_SETTINGS, run_driver
from tests.kiosk.disaster_text import MESSAGE, SHELTERS
from tests.kiosk.screens import ocr, similarity
from tests.server.helpers import now_ms


def emergency(area: str | None, version: int, withdrawn: bool = False) -> Emergency:
    if withdrawn:
        return Emergency(
            id=emergency_id(area), version=version, issued_at=now_ms(), area=area, withdrawn=True
        )
    return Emergency(
        id=emergency_id(area),
        version=version,
        issued_at=now_ms(),
        area=area,
        message=MESSAGE,
        shelters=[Shelter.model_validate(s) for s in SHELTERS],
    )


@pytest.fixture
def content_key(tmp_path: Path) -> ContentKey:
    return new_content_key(tmp_path)


def in_force(state_dir: Path) -> list[str]:
    opened = open_local_state(state_dir, create=False)
    try:
        return [e.emergency_id for e in opened.state.snapshot().emergencies]
    finally:
        opened.state.close()


def test_disaster_mode_survives_both_restarts_with_the_network_cut(
    xvfb_display: str, tmp_path: Path, content_key: ContentKey
) -> None:
    broker = broker_for(tmp_path / "mosquitto").start()
    state_dir = tmp_path / "station"
    settings = agent_settings(
        broker, state_dir, content_keys_file=content_key.pem_file, **ALWAYS_ON_SETTINGS
    )
    sign = content_key.signer.sign
    alert = HeatAlert(
        id="heat", version=1, issued_at=now_ms(), alert=AlertKind.SPECIAL_HEATSTROKE_ALERT
    )
    try:
        listener = Listener(broker).start()
        with running(Agent(settings)) as agent:
            assert wait_until(lambda: agent.link.connected and bool(listener.readings()))
            assert agent.link.subscribed.wait(10), "the agent did not subscribe"
            listener.publish(alert_topic(), sign(alert), retain=True)
            listener.publish(emergency_topic("naka"), sign(emergency("naka", 5)), retain=True)
            assert wait_until(lambda: in_force(state_dir) == [emergency_id("naka")])
        listener.stop()
    finally:
        broker.stop()  # the network is cut: nothing can arrive any more

    with running(Agent(settings)) as agent:  # the agent starts again, offline
        assert wait_until(lambda: agent.state.snapshot().latest is not None)
        assert not agent.link.connected
        assert in_force(state_dir) == [emergency_id("naka")]
        # The kiosk starts again too, on what the agent keeps.
        shots = run_driver(
            xvfb_display, tmp_path, "disaster-offline",
            [{"op": "advance", "s": 0}, {"op": "shot", "name": "after-restarts"}],
            state_dir=state_dir, burn_in_shift_px=0,
        )["shots"]  # fmt: skip
    shot = shots["after-restarts"]
    assert shot["view"]["disaster"]["shown"]
    assert shot["view"]["offline_text"]  # it says it is offline, and still shows it
    assert not shot["view"]["alert_text"]  # the 特別警戒アラート waits underneath
    assert similarity(MESSAGE["ja"], ocr(shot, "disaster_message", "ja")) >= 0.8

    broker.start()  # the network is back: the ward withdraws it
    try:
        listener = Listener(broker).start()
        with running(Agent(settings)) as agent:
            assert wait_until(lambda: agent.link.connected, 20)
            assert agent.link.subscribed.wait(10), "the agent did not subscribe"
            withdrawal = sign(emergency("naka", 6, withdrawn=True))
            listener.publish(emergency_topic("naka"), withdrawal, retain=True)
            assert wait_until(lambda: in_force(state_dir) == [])
            shots = run_driver(
                xvfb_display, tmp_path, "disaster-offline-withdrawn",
                [{"op": "advance", "s": 0}, {"op": "shot", "name": "withdrawn"}],
                state_dir=state_dir, burn_in_shift_px=0,
            )["shots"]  # fmt: skip
        listener.stop()
    finally:
        broker.stop()
    view = shots["withdrawn"]["view"]
    assert not view["disaster"]["shown"]
    assert view["alert_text"]  # the heat alert is on top again


@pytest.mark.services  # a broker of its own
def test_another_areas_disaster_mode_never_reaches_the_station(
    tmp_path: Path, content_key: ContentKey
) -> None:
    area = "kohoku"  # the station is in naka
    broker = broker_for(tmp_path / "mosquitto").start()
    state_dir = tmp_path / "station"
    settings = agent_settings(broker, state_dir, content_keys_file=content_key.pem_file)
    sign = content_key.signer.sign
    try:
        listener = Listener(broker).start()
        with running(Agent(settings)) as agent:
            assert wait_until(lambda: agent.link.connected and bool(listener.readings()))
            assert agent.link.subscribed.wait(10), "the agent did not subscribe"
            listener.publish(emergency_topic(area), sign(emergency(area, 3)), retain=True)
            # The area's own content, signed for another area, is refused on our topic too.
            listener.publish(emergency_topic("naka"), sign(emergency(area, 4)), retain=True)
            listener.publish(emergency_topic(None), sign(emergency(None, 2)), retain=True)
            assert wait_until(lambda: in_force(state_dir) == [emergency_id(None)])
            time.sleep(0.5)
            assert in_force(state_dir) == [emergency_id(None)]
            assert agent.inbox.rejected["topic"] == 1
        listener.stop()
    finally:
        broker.stop()
