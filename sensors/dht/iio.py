"""The kernel's dht11 IIO driver (``dtoverlay=dht11,gpiopin=N``, DHT11 and DHT22 alike).

The kernel times the pulses itself, which is more reliable than user space on a busy
Pi Zero. Values are milli-degrees and milli-percent in two sysfs files; a bad read is an
I/O error (EIO, ETIMEDOUT), which becomes the ``RuntimeError`` the agent already classifies.
"""

import errno
from collections.abc import Callable
from pathlib import Path

from sensors.dht.device import CHECKSUM, NOT_FOUND, TIMEOUT

IIO_DEVICES = Path("/sys/bus/iio/devices")


def find_iio_device(root: Path = IIO_DEVICES) -> Path:
    """The first IIO device named ``dht11``; RuntimeError(NOT_FOUND) when there is none."""
    for device in sorted(root.glob("iio:device*")):
        try:
            if (device / "name").read_text().strip().startswith("dht11"):
                return device
        except OSError:
            continue
    raise RuntimeError(NOT_FOUND)


class IioDht:
    def __init__(
        self, device: Path | None = None, read_text: Callable[[Path], str] = Path.read_text
    ) -> None:
        self.device = device
        self.read_text = read_text

    def _read(self, name: str) -> float:
        try:
            device = self.device or find_iio_device()
            return int(self.read_text(device / name).strip()) / 1000
        except FileNotFoundError:
            raise RuntimeError(NOT_FOUND) from None
        except ValueError:
            raise RuntimeError(CHECKSUM) from None
        except OSError as exc:
            raise RuntimeError(TIMEOUT if exc.errno == errno.ETIMEDOUT else CHECKSUM) from None

    @property
    def temperature(self) -> float | None:
        return self._read("in_temp_input")

    @property
    def humidity(self) -> float | None:
        return self._read("in_humidityrelative_input")

    def exit(self) -> None:
        """Nothing to release: the kernel owns the pin."""
