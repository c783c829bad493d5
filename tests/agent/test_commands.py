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
from contract.topics import command_topic
from devnet.mosquitto import Mosquitto
from localstate import open_local_state
from sensors.agent import Agent
from sensors.gpio.outputs import LedPattern
from tests.agent.conftest import STATION, Listener, agent_settings, running, wait_until

PNG = b"\x89PNG\r\n\x1a\n" + b"kiosk screen" * 50


def send(listener: Listener, name: CommandName, cmd_id: str, **extra: Any) -> dict[str, Any]:
    now = time.time_ns() // 1_000_000
    command = Command(
        cmd_id=cmd_id,
        name=name,
        issued_at=now,
        expires_at=extra.pop("expires_at", now + 60_000),
        **extra,
    )
    correlation = f"corr-{cmd_id}".encode()
    listener.publish(command_topic(STATION), encode(command), correlation=correlation)
    assert wait_until(lambda: correlation in listener.correlations, timeout_s=15)
    result: dict[str, Any] = json.loads(listener.correlations[correlation])
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
    broker: Mosquitto, listener: Listener, tmp_path: Path, pins: MockFactory
) -> None:
    marker = tmp_path / "kiosk-restarted"
    settings = agent_settings(
        broker,
        tmp_path,
        status_led_pin="5",
        restart_kiosk_command=f"touch {marker}",
    )
    agent = Agent(settings, pin_factory=pins)
    stop = threading.Event()
    kiosk = threading.Thread(target=fake_kiosk, args=(tmp_path, stop))
    with running(agent):
        assert wait_until(lambda: bool(listener.readings()))
        assert agent.link.subscribed.wait(10), "the agent did not subscribe"
        kiosk.start()
        try:
            identify = send(listener, CommandName.IDENTIFY, "c1", args={"seconds": 5})
            assert identify["ok"]
            assert agent.parts.led is not None
            assert agent.parts.led.pattern is LedPattern.IDENTIFY

            assert send(listener, CommandName.RESTART_KIOSK, "c2")["ok"]
            assert marker.exists()

            shot = send(listener, CommandName.SCREENSHOT, "c3")
            assert shot["ok"]
            assert base64.b64decode(shot["png_base64"]) == PNG

            late = send(listener, CommandName.IDENTIFY, "c4", expires_at=1)
            assert not late["ok"]
            assert "expired" in late["detail"]
        finally:
            stop.set()
            kiosk.join()


def test_failures_come_back_as_results_with_a_reason(
    broker: Mosquitto, listener: Listener, tmp_path: Path
) -> None:
    settings = agent_settings(
        broker, tmp_path, restart_kiosk_command="false", screenshot_timeout_s=0.5
    )
    agent = Agent(settings)
    with running(agent):
        assert wait_until(lambda: bool(listener.readings()))
        assert agent.link.subscribed.wait(10), "the agent did not subscribe"
        restart = send(listener, CommandName.RESTART_KIOSK, "f1")
        assert (restart["ok"], restart["detail"].startswith("exit 1")) == (False, True)
        shot = send(listener, CommandName.SCREENSHOT, "f2")  # no kiosk is running
        assert not shot["ok"]
        assert "did not answer" in shot["detail"]
