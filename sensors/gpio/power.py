"""Power-cycling a sensor that stopped answering, through a GPIO-switched supply.

While the supply is off the data line is held low: a DHT22 powered through its data
pin's pull-up would otherwise never really reset.
"""

import logging
import time
from collections.abc import Callable

from gpiozero import DigitalOutputDevice
from gpiozero.pins import Factory

log = logging.getLogger("kyusui.agent.power")


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
        pin_factory: Factory | None = None,
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
