"""Power-cycling a sensor that stopped answering, through a GPIO-switched supply.

While the supply is off the data line is held low: a DHT22 powered through its data
pin's pull-up would otherwise never really reset.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from gpiozero import DigitalOutputDevice

log = logging.getLogger("kyusui.agent.power")


class PowerCyclePolicy:
    """When to cycle: after ``after_failures`` failed readings in a row, then with a back-off
    that doubles up to ``max_backoff_s`` while the sensor stays dead."""

    def __init__(
        self, after_failures: int = 5, backoff_s: float = 60.0, max_backoff_s: float = 3600.0
    ) -> None:
        self.after_failures = after_failures
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.cycles = 0
        self._next_allowed = 0.0
        self._current_backoff = backoff_s

    def due(self, consecutive_failures: int, now_s: float) -> bool:
        return consecutive_failures >= self.after_failures and now_s >= self._next_allowed

    def cycled(self, now_s: float) -> None:
        self.cycles += 1
        self._next_allowed = now_s + self._current_backoff
        self._current_backoff = min(self._current_backoff * 2, self.max_backoff_s)

    def recovered(self) -> None:
        self._next_allowed = 0.0
        self._current_backoff = self.backoff_s


class GpioSensorPower:
    """The sensor's supply on ``power_pin`` (active high) and its data line on ``data_pin``.

    ``on_power`` is told of every change; the fake DHT uses it to lose and regain power.
    """

    def __init__(
        self,
        power_pin: str | int,
        data_pin: str | int,
        off_s: float = 2.0,
        settle_s: float = 2.0,
        pin_factory: Any = None,
        on_power: Callable[[bool], None] | None = None,
        wait: Callable[[float], object] = time.sleep,
    ) -> None:
        self.supply = DigitalOutputDevice(power_pin, initial_value=True, pin_factory=pin_factory)
        self.data_pin = data_pin
        self.pin_factory = pin_factory
        self.off_s = off_s
        self.settle_s = settle_s
        self.on_power = on_power
        self.wait = wait

    def cycle(self) -> None:
        """Call with the sensor device released; returns with the sensor powered and settled."""
        data = DigitalOutputDevice(self.data_pin, initial_value=False, pin_factory=self.pin_factory)
        try:
            self.supply.off()
            if self.on_power:
                self.on_power(False)
            self.wait(self.off_s)
            self.supply.on()
            if self.on_power:
                self.on_power(True)
        finally:
            data.close()  # give the data line back to the sensor driver
        self.wait(self.settle_s)

    def close(self) -> None:
        self.supply.close()
