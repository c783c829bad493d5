"""When the screen is on, dimmed or off, and how far it is shifted against burn-in.

The schedule is JST wall-clock ``HH:MM`` and may wrap past midnight (``05:00``–``23:00`` or
``18:00``–``02:00``). Outside it the screen is off, but a touch or someone passing by
(the agent's presence sensor) wakes it for ``wake_s``. Inside it, a station with a
presence sensor dims when nobody has passed for ``dim_after_s``.
"""

from dataclasses import dataclass
from enum import StrEnum

from contract.jst import in_window, minutes_of
from kiosk.logonce import warn_once


class DisplayState(StrEnum):
    ON = "on"
    DIM = "dim"
    OFF = "off"


def screen_on_at(on_start: str, on_end: str, now_ms: int) -> bool:
    """Whether the schedule has the screen on at ``now_ms``. Equal on and off times mean no
    schedule (always on), and so does one that is not understood: never dark by mistake."""
    start, end = minutes_of(on_start), minutes_of(on_end)
    if start is None or end is None:
        warn_once("display schedule %r–%r not understood; staying on", on_start, on_end)
        return True
    return start == end or in_window(on_start, on_end, now_ms)


@dataclass(frozen=True, slots=True)
class DisplayPolicy:
    wake_s: float
    dim_after_s: float

    def state(
        self,
        on_start: str,
        on_end: str,
        now_ms: int,
        last_touch_ms: int | None,
        last_motion_ms: int | None,
    ) -> DisplayState:
        recent = [t for t in (last_touch_ms, last_motion_ms) if t is not None]
        latest = max(recent) if recent else None
        awake = latest is not None and now_ms - latest < self.wake_s * 1000
        if not screen_on_at(on_start, on_end, now_ms):
            return DisplayState.ON if awake else DisplayState.OFF
        if last_motion_ms is None:
            return DisplayState.ON  # no presence sensor: never dim in the day
        if latest is not None and now_ms - latest >= self.dim_after_s * 1000:
            return DisplayState.DIM
        return DisplayState.ON


# A slow walk around a small square, one step per period: every pixel moves, nothing jumps.
_SHIFT_PATH = ((0, 0), (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))


def burn_in_offset(now_s: float, amplitude_px: int, period_s: float) -> tuple[int, int]:
    """How far (x, y) to shift the whole picture now, against burn-in of static parts."""
    if amplitude_px <= 0:
        return (0, 0)
    step = int(now_s // period_s) % len(_SHIFT_PATH)
    dx, dy = _SHIFT_PATH[step]
    return (dx * amplitude_px, dy * amplitude_px)
