"""A DHT that can be told to fail in every way a real one does.

It raises the error texts ``adafruit_dht`` raises (``sensors.dht.device``), so code tried
against the fake classifies real failures the same way.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

from sensors.dht.device import CHECKSUM, NOT_FOUND, TIMEOUT
from sensors.simulation import SummerDay


class Failure(StrEnum):
    NOT_FOUND = "not_found"
    CHECKSUM = "checksum"
    TIMEOUT = "timeout"
    STUCK = "stuck"  # answers, always with the same values
    GARBAGE = "garbage"  # answers with impossible values
    SPIKE = "spike"  # answers with a plausible-looking but sudden jump
    HUNG = "hung"  # stops answering until its power is cycled


_MESSAGES = {Failure.NOT_FOUND: NOT_FOUND, Failure.CHECKSUM: CHECKSUM, Failure.TIMEOUT: TIMEOUT}


class FakeDHT:
    """Measures a simulated climate. ``failure`` forces one failure mode until cleared;
    ``random_failure_rate`` makes occasional checksum/timeout errors like a real DHT22."""

    def __init__(
        self,
        climate: SummerDay | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        random_failure_rate: float = 0.0,
    ) -> None:
        self.climate = climate or SummerDay()
        self.clock = clock
        self.random_failure_rate = random_failure_rate
        self.failure: Failure | None = None
        self.powered = True
        self.power_cycles = 0
        self.reads = 0
        self.exited = False
        self._last: tuple[float, float] | None = None
        self._pair: tuple[float, float] | None = None

    def set_power(self, on: bool) -> None:
        """What the sensor's supply does; a hung sensor recovers when power comes back."""
        if on and not self.powered:
            self.power_cycles += 1
            if self.failure is Failure.HUNG:
                self.failure = None
        self.powered = on

    def _measure(self) -> tuple[float, float]:
        self.reads += 1
        if not self.powered or self.failure is Failure.HUNG:
            raise RuntimeError(NOT_FOUND)
        failure = self.failure
        if failure is None and self.climate.chance(self.random_failure_rate):
            failure = Failure.CHECKSUM if self.climate.chance(0.5) else Failure.TIMEOUT
        if failure is not None and failure in _MESSAGES:
            raise RuntimeError(_MESSAGES[failure])
        if failure is Failure.GARBAGE:  # what a frame of all ones decodes to
            return -3276.7, 6553.5
        if failure is Failure.STUCK and self._last is not None:
            return self._last
        sample = self.climate.sample(self.clock())
        if failure is Failure.SPIKE:
            return sample[0] + 15.0, sample[1]
        self._last = sample
        return sample

    # adafruit_dht measures once for a temperature+humidity pair; so does the fake.
    @property
    def temperature(self) -> float | None:
        self._pair = self._measure()
        return self._pair[0]

    @property
    def humidity(self) -> float | None:
        pair = self._pair if self._pair is not None else self._measure()
        self._pair = None
        return pair[1]

    def exit(self) -> None:
        self.exited = True
