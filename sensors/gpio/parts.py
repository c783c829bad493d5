"""Building the station's hardware parts from the settings: sensor, power switch, GPIO."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sensors.dht import DhtDevice, FakeDHT, open_device
from sensors.settings import AgentSettings
from sensors.simulation import SummerDay

if TYPE_CHECKING:  # gpiozero is loaded only when a part is configured
    from gpiozero.pins import Factory

    from sensors.gpio.outputs import Beacon, MotionInput, ServiceButton, StatusLed
    from sensors.gpio.power import GpioSensorPower

log = logging.getLogger("kyusui.agent.parts")


GPIO_SENSORS = ("dht22", "am2302", "dht11")


class SensorUnavailableError(RuntimeError):
    """The settings name a sensor this machine cannot have; retrying cannot help."""


def check_sensor_available(settings: AgentSettings, dev: Path = Path("/dev")) -> None:
    """Refuse a GPIO sensor on a machine without GPIO, in one sentence a technician can act on."""
    if settings.sensor in GPIO_SENSORS and not any(dev.glob("gpiochip*")):
        raise SensorUnavailableError(
            f"この機器には GPIO がないため、センサー {settings.sensor} は使えません"
            f' (試験用の局は sensor = "fake") / this machine has no GPIO ({dev}/gpiochip*),'
            f' so sensor = "{settings.sensor}" cannot work: use a Raspberry Pi,'
            ' or sensor = "fake" for a trial station'
        )


def given_or_fake(settings: AgentSettings, sensor: DhtDevice | None) -> DhtDevice | None:
    """The device a test passed in, the simulated one for ``sensor = "fake"``, else None."""
    if sensor is None and settings.sensor == "fake":
        climate = SummerDay(seed=settings.simulation_seed)
        sensor = FakeDHT(climate, random_failure_rate=settings.simulation_failure_rate)
    return sensor


def sensor_opener(settings: AgentSettings, sensor: DhtDevice | None) -> Callable[[], DhtDevice]:
    """How to (re)open the sensor; a given or simulated device is reused as it is."""
    if sensor is not None:
        device = sensor
        return lambda: device
    check_sensor_available(settings)
    return lambda: open_device(settings.sensor, settings.sensor_pin)


@dataclass
class Parts:
    led: "StatusLed | None" = None
    beacon: "Beacon | None" = None
    motion: "MotionInput | None" = None
    button: "ServiceButton | None" = None
    power: "GpioSensorPower | None" = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in self.closers:
            try:
                close()
            except Exception:  # closing one part must not keep the others open
                log.exception("could not close a GPIO part")


def build_parts(
    settings: AgentSettings,
    pin_factory: "Factory | None",
    sensor: DhtDevice | None,
    on_motion: Callable[[], None],
    on_button: Callable[[], None],
    stopping: threading.Event,
) -> Parts:
    parts = Parts()
    s = settings
    pins = (s.status_led_pin, s.beacon_pin, s.pir_pin, s.button_pin, s.sensor_power_pin)
    if all(pin is None for pin in pins):
        return parts  # no GPIO parts: gpiozero is not even loaded (about 2 MB less memory)
    from sensors.gpio.outputs import Beacon, MotionInput, ServiceButton, StatusLed
    from sensors.gpio.power import GpioSensorPower

    if settings.status_led_pin is not None:
        parts.led = StatusLed(settings.status_led_pin, pin_factory)
        parts.closers.append(parts.led.close)
    if settings.beacon_pin is not None:
        parts.beacon = Beacon(settings.beacon_pin, pin_factory)
        parts.closers.append(parts.beacon.close)
    if settings.pir_pin is not None:
        parts.motion = MotionInput(settings.pir_pin, on_motion, pin_factory)
        parts.closers.append(parts.motion.close)
    if settings.button_pin is not None:
        parts.button = ServiceButton(settings.button_pin, on_button, pin_factory)
        parts.closers.append(parts.button.close)
    if settings.sensor_power_pin is not None:
        parts.power = GpioSensorPower(
            settings.sensor_power_pin,
            settings.sensor_data_gpio,
            off_s=settings.power_off_s,
            settle_s=min(2.0, settings.power_off_s),
            pin_factory=pin_factory,
            on_power=sensor.set_power if isinstance(sensor, FakeDHT) else None,
            wait=stopping.wait,
        )
        parts.closers.append(parts.power.close)
    return parts
