"""Staff commands: identify, restart the kiosk, screenshot — each answered with a result."""

import base64
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from gpiozero.pins.mock import MockFactory

from contract.codec import encode
from contract.messages import Command, CommandName
from contract.topics import StationTopic, command_topic, station_topic
from devnet.mosquitto import Mosquitto
from localstate import open_local_state
from sensors.agent import Agent
from sensors.gpio.outputs import LedPattern
from sensors.uplink.fakelink import FakeLink
from tests.agent.conftest import (
    STATION,
    Listener,
    agent_settings,
    running,
    station_settings,
    wait_until,
)
from tests.agent.station import served_link

PNG = b"\x89PNG\r\n\x1a\n" + b"kiosk screen" * 50


RESULTS = station_topic(STATION, StationTopic.CMD_RESULT)


def command(name: CommandName, cmd_id: str, **extra: Any) -> bytes:
    now = time.time_ns() // 1_000_000
    expires_at = extra.pop("expires_at", now + 60_000)
    return encode(Command(cmd_id=cmd_id, name=name, issued_at=now, expires_at=expires_at, **extra))


def send(link: FakeLink, name: CommandName, cmd_id: str, **extra: Any) -> dict[str, Any]:
    """Send a command as staff do and return the result the station answers it with."""
    correlation = f"corr-{cmd_id}".encode()
    link.deliver(command_topic(STATION), command(name, cmd_id, **extra), correlation)

    def answers() -> list[bytes]:
        return [p.payload for p in link.published(RESULTS) if p.correlation == correlation]

    assert link.wait_for(lambda: bool(answers()), timeout_s=15), f"no answer to {cmd_id}"
    result: dict[str, Any] = json.loads(answers()[0])
    assert result["cmd_id"] == cmd_id
    return result


def fake_kiosk(state_dir: Path, stop: threading.Event) -> None:
    """Does what the kiosk does with a screenshot request, through the kiosk's own calls."""
    state = open_local_state(state_dir, create=False).state
    while not stop.wait(0.1):
        for request in state.pending_kiosk_requests():
            if request.name == "screenshot":
                path = state_dir / f"{request.request_id}.png"
                path.write_bytes(PNG)
                state.answer_kiosk_request(request.request_id, True, str(path))
    state.close()


@pytest.fixture
def pins() -> MockFactory:
    return MockFactory()


def test_commands_are_carried_out_and_answered_with_their_correlation(
    tmp_path: Path, pins: MockFactory
) -> None:
    marker = tmp_path / "kiosk-restarted"
    settings = station_settings(
        tmp_path, status_led_pin="5", restart_kiosk_command=f"touch {marker}"
    )
    link = served_link()
    agent = Agent(settings, pin_factory=pins, link=link)
    stop = threading.Event()
    kiosk = threading.Thread(target=fake_kiosk, args=(tmp_path, stop))
    with running(agent):
        kiosk.start()
        try:
            identify = send(link, CommandName.IDENTIFY, "c1", args={"seconds": 5})
            assert identify["ok"]
            assert agent.parts.led is not None
            assert agent.parts.led.pattern is LedPattern.IDENTIFY

            assert send(link, CommandName.RESTART_KIOSK, "c2")["ok"]
            assert marker.exists()

            shot = send(link, CommandName.SCREENSHOT, "c3")
            assert shot["ok"]
            assert base64.b64decode(shot["png_base64"]) == PNG

            late = send(link, CommandName.IDENTIFY, "c4", expires_at=1)
            assert not late["ok"]
            assert "expired" in late["detail"]
        finally:
            stop.set()
            kiosk.join()


def test_failures_come_back_as_results_with_a_reason(tmp_path: Path) -> None:
    settings = station_settings(tmp_path, restart_kiosk_command="false", screenshot_timeout_s=0.5)
    link = served_link()
    with running(Agent(settings, link=link)):
        restart = send(link, CommandName.RESTART_KIOSK, "f1")
        assert (restart["ok"], restart["detail"].startswith("exit 1")) == (False, True)
        shot = send(link, CommandName.SCREENSHOT, "f2")  # no kiosk is running
        assert not shot["ok"]
        assert "did not answer" in shot["detail"]


def test_through_the_broker_a_command_is_answered_with_its_correlation_data(
    broker: Mosquitto, listener: Listener, tmp_path: Path
) -> None:
    """The MQTT v5 correlation data goes out with the result (what staff match it by)."""
    with running(Agent(agent_settings(broker, tmp_path))) as agent:
        assert agent.link.subscribed.wait(10), "the agent did not subscribe"
        correlation = b"corr-b1"
        payload = command(CommandName.IDENTIFY, "b1", args={"seconds": 1})
        listener.publish(command_topic(STATION), payload, correlation=correlation)
        assert wait_until(lambda: correlation in listener.correlations, timeout_s=15)
    assert json.loads(listener.correlations[correlation])["ok"]
