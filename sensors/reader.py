"""One sensor read: a pair of values, or no value and the reason.

A failed read never repeats the previous value (ESPHome's dht does the same).
"""

from dataclasses import dataclass
from enum import StrEnum

from contract.messages import within_bounds
from sensors.dht.device import CHECKSUM, IMPLAUSIBLE, NOT_FOUND, TIMEOUT, DhtDevice


class ReadError(StrEnum):
    NOT_FOUND = "not_found"
    CHECKSUM = "checksum"
    TIMEOUT = "timeout"
    IMPLAUSIBLE = "implausible"  # out of range, or changed faster than weather can
    STUCK = "stuck"  # the same raw values for too long
    OTHER = "other"


_BY_MESSAGE = {
    NOT_FOUND: ReadError.NOT_FOUND,
    CHECKSUM: ReadError.CHECKSUM,
    TIMEOUT: ReadError.TIMEOUT,
    IMPLAUSIBLE: ReadError.IMPLAUSIBLE,
}


@dataclass(frozen=True, slots=True)
class ReadResult:
    temp_c: float | None = None
    rh: float | None = None
    error: ReadError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def classify(exc: Exception) -> ReadError:
    return _BY_MESSAGE.get(str(exc), ReadError.OTHER)


def read_once(device: DhtDevice) -> ReadResult:
    try:
        temp, rh = device.temperature, device.humidity
    except RuntimeError as exc:
        return ReadResult(error=classify(exc))
    if temp is None or rh is None:
        return ReadResult(error=ReadError.TIMEOUT)
    if not within_bounds(temp, rh):  # the contract's bounds: outside is a bad read, not weather
        return ReadResult(error=ReadError.IMPLAUSIBLE)
    return ReadResult(temp_c=float(temp), rh=float(rh))
