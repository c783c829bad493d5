"""When to power-cycle a sensor that stopped answering, and doing it between readings."""

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sensors.reader import ReadResult
from sensors.sampling import Sampler

if TYPE_CHECKING:  # gpiozero is loaded only when a part is configured
    from sensors.gpio.power import GpioSensorPower

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


def sample_and_cycle(
    sampler: Sampler,
    policy: PowerCyclePolicy,
    power: "GpioSensorPower | None",
    now_s: Callable[[], float] = time.monotonic,
) -> ReadResult:
    """One reading; a sensor that has failed too often is power-cycled (when its supply is
    switched) and reopened, ready for the next."""
    result = sampler.sample()
    if result.ok:
        policy.recovered()
    elif power is not None and policy.due(sampler.consecutive_failures, now_s()):
        log.warning(
            "sensor failed %d readings in a row (%s): power-cycling it",
            sampler.consecutive_failures,
            sampler.detail,
        )
        sampler.close()
        power.cycle()
        policy.cycled(now_s())
        sampler.reopen()
    return result
