"""A sensor that stops answering is power-cycled through its GPIO-switched supply."""

from collections.abc import Iterator

import pytest
from gpiozero.pins.mock import MockFactory

from sensors.dht import Failure, FakeDHT
from sensors.gpio.power import GpioSensorPower
from sensors.gpio.powercycle import PowerCyclePolicy
from sensors.simulation import SummerDay


@pytest.fixture
def pins() -> Iterator[MockFactory]:
    factory = MockFactory()
    yield factory
    factory.reset()


def test_power_cycle_switches_the_supply_off_with_the_data_line_low_and_revives_the_sensor(
    pins: MockFactory,
) -> None:
    fake = FakeDHT(SummerDay(seed=5))
    fake.failure = Failure.HUNG
    seen: list[tuple[bool, bool]] = []

    def observe(seconds: float) -> None:
        seen.append((pins.pin(17).state, pins.pin(4).state))

    power = GpioSensorPower(17, 4, pin_factory=pins, on_power=fake.set_power, wait=observe)
    assert pins.pin(17).state is True
    with pytest.raises(RuntimeError):
        _ = fake.temperature
    power.cycle()
    # While off: supply low and data low; after: supply on, data released to the driver.
    assert seen[0] == (False, False)
    assert pins.pin(17).state is True
    assert fake.power_cycles == 1
    assert fake.temperature is not None
    power.close()


def test_cycling_waits_for_repeated_failures_and_backs_off_while_the_sensor_stays_dead() -> None:
    policy = PowerCyclePolicy(after_failures=3, backoff_s=60, max_backoff_s=200)
    assert not policy.due(2, 0)
    assert policy.due(3, 0)
    policy.cycled(0)
    assert not policy.due(10, 59)
    assert policy.due(10, 60)
    policy.cycled(60)
    assert not policy.due(10, 179)  # the pause doubled
    assert policy.due(10, 180)
    policy.cycled(180)
    assert not policy.due(10, 379)  # and is capped
    assert policy.due(10, 380)
    policy.recovered()
    assert policy.due(3, 381)
