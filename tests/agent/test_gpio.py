"""The station's lights, beacon, motion sensor, button and sensor power, on mock pins."""

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory

from contract.jst import JST, in_window
from devnet.mosquitto import Mosquitto
from devnet.ports import free_port
from localstate import open_local_state
from sensors.agent import Agent
from sensors.dht import Failure, FakeDHT
from sensors.gpio.outputs import LedPattern
from sensors.simulation import SummerDay
from tests.agent.conftest import Listener, agent_settings, running, wait_until
from tests.agent.delivery import recorded

LED, BEACON, PIR, BUTTON, POWER = 5, 6, 13, 19, 26


@pytest.fixture
def pins() -> Iterator[MockFactory]:
    factory = MockFactory()
    yield factory
    factory.reset()


class Heatwave(FakeDHT):
    """38 °C and 70 %: WBGT well into 危険."""

    def _measure(self) -> tuple[float, float]:
        if self.failure is not None:
            return super()._measure()
        self.reads += 1
        return 38.0, 70.0


def window_around_now(inside: bool) -> tuple[str, str]:
    now = datetime.now(JST)
    start = now - timedelta(hours=1) if inside else now + timedelta(hours=1)
    end = now + timedelta(hours=2)
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def gpio_settings(broker: Mosquitto, tmp_path: Path, **extra: object) -> dict[str, object]:
    return {
        "status_led_pin": str(LED),
        "beacon_pin": str(BEACON),
        "pir_pin": str(PIR),
        "button_pin": str(BUTTON),
        **extra,
    }


def test_status_led_shows_starting_online_sensor_fault_and_identify(
    broker: Mosquitto, listener: Listener, pins: MockFactory, tmp_path: Path
) -> None:
    fake = FakeDHT(SummerDay(seed=7))
    settings = agent_settings(broker, tmp_path, **gpio_settings(broker, tmp_path))
    agent = Agent(settings, sensor=fake, pin_factory=pins)
    led = agent.parts.led
    assert led is not None
    assert led.pattern is LedPattern.STARTING
    with running(agent):
        assert wait_until(lambda: led.pattern is LedPattern.ONLINE)
        assert pins.pin(LED).state is True
        fake.failure = Failure.TIMEOUT
        assert wait_until(lambda: led.pattern is LedPattern.SENSOR_FAULT)
        fake.failure = None
        assert wait_until(lambda: led.pattern is LedPattern.ONLINE)
        pins.pin(BUTTON).drive_low()  # the technician presses the button
        pins.pin(BUTTON).drive_high()
        assert wait_until(lambda: led.pattern is LedPattern.IDENTIFY)


def test_status_led_blinks_slowly_while_the_broker_is_unreachable(
    broker: Mosquitto, pins: MockFactory, tmp_path: Path
) -> None:
    settings = agent_settings(
        broker, tmp_path, broker_port=free_port(), **gpio_settings(broker, tmp_path)
    )
    agent = Agent(settings, pin_factory=pins)
    with running(agent):
        led = agent.parts.led
        assert led is not None
        assert wait_until(lambda: led.pattern is LedPattern.OFFLINE)
        assert wait_until(lambda: agent.outbox.depth >= 3)


@pytest.mark.parametrize("quiet", [False, True])
def test_beacon_sounds_at_danger_except_in_quiet_hours(
    broker: Mosquitto, pins: MockFactory, tmp_path: Path, quiet: bool
) -> None:
    start, end = window_around_now(inside=quiet)
    assert in_window(start, end, time.time_ns() // 1_000_000) is quiet
    settings = agent_settings(
        broker,
        tmp_path,
        **gpio_settings(broker, tmp_path, quiet_hours_start=start, quiet_hours_end=end),
    )
    agent = Agent(settings, sensor=Heatwave(), pin_factory=pins)
    taken = recorded(agent)  # a reading is recorded once the beacon has been set for it
    with running(agent):
        assert wait_until(lambda: any(r.level is not None for r in taken))
        assert pins.pin(BEACON).state is (not quiet)


def test_motion_near_the_station_tells_the_kiosk(
    broker: Mosquitto, pins: MockFactory, tmp_path: Path
) -> None:
    agent = Agent(
        agent_settings(broker, tmp_path, **gpio_settings(broker, tmp_path)), pin_factory=pins
    )
    state = open_local_state(tmp_path, create=False).state
    with running(agent):
        assert state.snapshot().last_motion_at is None

        def someone_passes() -> bool:
            # A PIR just powered up reports nothing until it has settled: someone comes and
            # goes (one step each) until the kiosk hears of it.
            pir = pins.pin(PIR)
            pir.drive_low() if pir.state else pir.drive_high()
            return state.snapshot().last_motion_at is not None

        assert wait_until(someone_passes, step_s=0.2)
    state.close()


def test_a_hung_sensor_reports_faults_then_is_power_cycled_back_to_life(
    broker: Mosquitto, listener: Listener, pins: MockFactory, tmp_path: Path
) -> None:
    fake = FakeDHT(SummerDay(seed=8))
    fake.failure = Failure.HUNG
    settings = agent_settings(
        broker,
        tmp_path,
        sensor_power_pin=str(POWER),
        sensor_data_gpio="4",
        power_cycle_after_failures=3,
        power_off_s=0.1,
        health_interval_s=0.3,
    )
    agent = Agent(settings, sensor=fake, pin_factory=pins)
    with running(agent):
        assert wait_until(lambda: fake.power_cycles == 1)
        assert wait_until(lambda: any(r["quality"] != "fault" for r in listener.readings()))
        assert wait_until(lambda: listener.payloads("health")[-1]["sensor_state"] == "ok")
    readings = listener.readings()
    assert [r["quality"] for r in readings[:3]] == ["fault"] * 3
    assert all("temp_c" not in r for r in readings[:3]), "a failed read carries no value"
    health = listener.payloads("health")[-1]
    assert health["sensor_errors"]["not_found"] == 3 * 3
    assert [s.state for s in pins.pin(POWER).states][-2:] == [False, True]
