"""The station's GPIO parts: status LED, warning beacon, PIR motion sensor, button.

Every part is optional (no pin configured, no part). Tests pass gpiozero's ``MockFactory``
as ``pin_factory``; on a Pi the default factory drives the real pins.
"""

import logging
import threading
from collections.abc import Callable

from gpiozero import LED, Button, DigitalOutputDevice, MotionSensor
from gpiozero.pins import Factory

from sensors.gpio.patterns import BLINK, LedPattern

log = logging.getLogger("kyusui.agent.gpio")
__all__ = ["Beacon", "LedPattern", "MotionInput", "ServiceButton", "StatusLed"]


class StatusLed:
    def __init__(self, pin: str | int, pin_factory: Factory | None = None) -> None:
        self.led = LED(pin, pin_factory=pin_factory)
        self.pattern: LedPattern | None = None
        self._base = LedPattern.STARTING
        self._identify_timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._apply(LedPattern.STARTING)

    def _apply(self, pattern: LedPattern) -> None:
        if pattern is self.pattern:
            return
        self.pattern = pattern
        blink = BLINK[pattern]
        if blink is None:
            self.led.on()
        else:
            self.led.blink(on_time=blink[0], off_time=blink[1], background=True)

    def show(self, pattern: LedPattern) -> None:
        with self._lock:
            self._base = pattern
            if self._identify_timer is None:
                self._apply(pattern)

    def identify(self, seconds: float = 10.0) -> None:
        with self._lock:
            if self._identify_timer is not None:
                self._identify_timer.cancel()
            self._apply(LedPattern.IDENTIFY)
            self._identify_timer = threading.Timer(seconds, self._end_identify)
            self._identify_timer.daemon = True
            self._identify_timer.start()

    def _end_identify(self) -> None:
        with self._lock:
            self._identify_timer = None
            self._apply(self._base)

    def close(self) -> None:
        with self._lock:
            if self._identify_timer is not None:
                self._identify_timer.cancel()
            self.led.close()


class Beacon:
    """A warning light or buzzer, on while the level calls for it and it is not quiet hours."""

    def __init__(self, pin: str | int, pin_factory: Factory | None = None) -> None:
        self.device = DigitalOutputDevice(pin, pin_factory=pin_factory)

    def set(self, on: bool) -> None:
        if on != bool(self.device.value):
            log.info("warning beacon %s", "on" if on else "off")
        self.device.value = on

    def close(self) -> None:
        self.device.close()


class MotionInput:
    """A PIR sensor: tells the kiosk someone is near so it can wake the screen."""

    def __init__(
        self, pin: str | int, on_motion: Callable[[], None], pin_factory: Factory | None = None
    ) -> None:
        self.sensor = MotionSensor(pin, pin_factory=pin_factory, queue_len=1)
        self.sensor.when_motion = on_motion

    def close(self) -> None:
        self.sensor.close()


class ServiceButton:
    """The technician's button: a press makes the station identify itself."""

    def __init__(
        self, pin: str | int, on_press: Callable[[], None], pin_factory: Factory | None = None
    ) -> None:
        self.button = Button(pin, pin_factory=pin_factory)
        self.button.when_pressed = on_press

    def close(self) -> None:
        self.button.close()
