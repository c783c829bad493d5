"""Turn a sensor read into a contract Reading: WBGT, level with hysteresis, quality; and
the measurer that takes one reading per interval."""

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from contract.messages import Quality, Reading, TimeSource
from localstate import ReadingView
from sensors.dht import DhtDevice
from sensors.gpio.parts import sensor_opener
from sensors.gpio.powercycle import PowerCyclePolicy, sample_and_cycle
from sensors.heat import LevelTracker, estimate_wbgt
from sensors.reader import ReadResult
from sensors.sampling import Sampler, SamplingRules
from sensors.settings import AgentSettings
from sensors.time.timekeeping import Stamp, TimeKeeper

if TYPE_CHECKING:  # gpiozero is loaded only when a part is configured
    from sensors.gpio.power import GpioSensorPower

log = logging.getLogger("kyusui.agent")


def to_reading(
    result: ReadResult, ts_ms: int, tracker: LevelTracker, time: TimeSource = TimeSource.SYNCED
) -> Reading:
    if result.temp_c is None or result.rh is None:
        return Reading(ts=ts_ms, quality=Quality.FAULT, time=time)
    estimate = estimate_wbgt(result.temp_c, result.rh)
    return Reading(
        ts=ts_ms,
        temp_c=result.temp_c,
        rh=result.rh,
        wbgt=estimate.wbgt_c,
        level=tracker.update(estimate.wbgt_c),
        quality=Quality.EXTRAPOLATED if estimate.extrapolated else Quality.OK,
        time=time,
    )


def view_of(reading: Reading) -> ReadingView:
    """The reading as the kiosk reads it from the local state."""
    return ReadingView(
        reading.ts,
        reading.temp_c,
        reading.rh,
        reading.wbgt,
        reading.level.value if reading.level else None,
        reading.quality.value,
        reading.time.value,
    )


class Measurer:
    """One reading per call: sampled (the sensor power-cycled when it stopped answering),
    stamped, with its level; a value with no WBGT estimate is a fault reading."""

    def __init__(
        self,
        settings: AgentSettings,
        device: DhtDevice | None,
        power: "GpioSensorPower | None",
        time: TimeKeeper,
        wait: Callable[[float], object],
    ) -> None:
        s = settings
        rules = SamplingRules(
            attempts=s.sensor_attempts,
            min_gap_s=s.sensor_min_gap_s,
            stuck_after_s=s.sensor_stuck_after_s,
        )
        self.sampler = Sampler(sensor_opener(s, device), rules, wait=wait)
        self.policy = PowerCyclePolicy(s.power_cycle_after_failures, s.power_cycle_backoff_s)
        self.power = power
        self.time = time
        self.tracker = LevelTracker(s.hysteresis_c)

    def take(self) -> tuple[Reading, Stamp]:
        result = sample_and_cycle(self.sampler, self.policy, self.power)
        stamp = self.time.stamp()
        try:
            reading = to_reading(result, stamp.ts, self.tracker, stamp.source)
        except ValueError as exc:  # no estimate for these values: say so, keep measuring
            log.warning("no WBGT for %s: %s", result, exc)
            error = ReadResult(error=result.error)
            reading = to_reading(error, stamp.ts, self.tracker, stamp.source)
        return reading, stamp
