"""Turn a sensor read into a contract Reading: WBGT, level with hysteresis, quality."""

from contract.messages import Quality, Reading, TimeSource
from localstate import ReadingView
from sensors.heat import LevelTracker, estimate_wbgt
from sensors.reader import ReadResult


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
