"""The station's lights, beacon, motion sensor, button and sensor power, on mock pins."""

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory

from contract.jst import JST, in_window
from localstate import open_local_state
from sensors.agent import Agent
from sensors.dht import Failure, FakeDHT
from sensors.gpio.outputs import LedPattern
from sensors.simulation import SummerDay
from tests.agent.conftest import running, station_settings, wait_until
from tests.agent.delivery import recorded
from tests.agent.station import last_health, readings, served_link

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


def gpio_settings(**extra: object) -> dict[str, object]:
    return {
        "status_led_pin": str(LED),
        "beacon_pin": str(BEACON),
        "pir_pin": str(PIR),
        "button_pin": str(BUTTON),
        **extra,
    }


def test_status_led_shows_starting_online_sensor_fault_and_identify(
    pins: MockFactory, tmp_path: Path
) -> None:
    fake = FakeDHT(SummerDay(seed=7))
    settings = station_settings(tmp_path, **gpio_settings())
    agent = Agent(settings, sensor=fake, pin_factory=pins, link=served_link())
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
    pins: MockFactory, tmp_path: Path
) -> None:
    link = served_link(online=False)
    agent = Agent(station_settings(tmp_path, **gpio_settings()), pin_factory=pins, link=link)
    with running(agent):
        led = agent.parts.led
        assert led is not None
        assert wait_until(lambda: led.pattern is LedPattern.OFFLINE)
        assert wait_until(lambda: agent.outbox.depth >= 3)
        link.connect()  # the broker is back
        assert wait_until(lambda: led.pattern is LedPattern.ONLINE)
        assert link.wait_for(lambda: len(readings(link)) >= 3), "the buffered readings went"
        link.disconnect()
        assert wait_until(lambda: led.pattern is LedPattern.OFFLINE)


@pytest.mark.parametrize("quiet", [False, True])
def test_beacon_sounds_at_danger_except_in_quiet_hours(
    pins: MockFactory, tmp_path: Path, quiet: bool
) -> None:
    start, end = window_around_now(inside=quiet)
    assert in_window(start, end, time.time_ns() // 1_000_000) is quiet
    settings = station_settings(
        tmp_path, **gpio_settings(quiet_hours_start=start, quiet_hours_end=end)
    )
    agent = Agent(settings, sensor=Heatwave(), pin_factory=pins, link=served_link())
    taken = recorded(agent)  # a reading is recorded once the beacon has been set for it
    with running(agent):
        assert wait_until(lambda: any(r.level is not None for r in taken))
        assert pins.pin(BEACON).state is (not quiet)


def test_motion_near_the_station_tells_the_kiosk(pins: MockFactory, tmp_path: Path) -> None:
    settings = station_settings(tmp_path, **gpio_settings())
    agent = Agent(settings, pin_factory=pins, link=served_link())
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
    pins: MockFactory, tmp_path: Path
) -> None:
    fake = FakeDHT(SummerDay(seed=8))
    fake.failure = Failure.HUNG
    settings = station_settings(
        tmp_path,
        sensor_power_pin=str(POWER),
        sensor_data_gpio="4",
        power_cycle_after_failures=3,
        power_off_s=0.1,
        health_interval_s=0.3,
    )
    link = served_link()
    with running(Agent(settings, sensor=fake, pin_factory=pins, link=link)):
        assert wait_until(lambda: fake.power_cycles == 1)
        assert link.wait_for(lambda: any(r["quality"] != "fault" for r in readings(link)))
        assert link.wait_for(lambda: last_health(link).get("sensor_state") == "ok")
    sent = readings(link)
    assert [r["quality"] for r in sent[:3]] == ["fault"] * 3
    assert all("temp_c" not in r for r in sent[:3]), "a failed read carries no value"
    assert last_health(link)["sensor_errors"]["not_found"] == 3 * 3
    assert [s.state for s in pins.pin(POWER).states][-2:] == [False, True]
