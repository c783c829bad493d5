"""The slice of ``adafruit_dht.DHTBase`` the agent uses."""

from typing import Protocol

# The ``RuntimeError`` texts ``adafruit_dht`` raises: how a failed read says what went wrong.
NOT_FOUND = "DHT sensor not found, check wiring"
CHECKSUM = "Checksum did not validate. Try again."
TIMEOUT = "A full buffer was not returned. Try again."
IMPLAUSIBLE = "Received unplausible data. Try again."


class DhtDevice(Protocol):
    """Reading ``temperature`` or ``humidity`` measures (at most every 2 s) and raises
    ``RuntimeError`` when the sensor does not answer cleanly."""

    @property
    def temperature(self) -> float | None: ...

    @property
    def humidity(self) -> float | None: ...

    def exit(self) -> None: ...


def open_device(model: str, pin: str) -> DhtDevice:
    """Open a real sensor; imported lazily because it needs a Pi's GPIO."""
    if model == "iio":
        from sensors.dht.iio import IioDht

        return IioDht()
    import adafruit_dht
    import board

    cls = {"dht22": adafruit_dht.DHT22, "am2302": adafruit_dht.DHT22, "dht11": adafruit_dht.DHT11}[
        model
    ]
    device: DhtDevice = cls(getattr(board, pin), use_pulseio=False)
    return device
