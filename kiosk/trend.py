"""The 24-hour WBGT trend as plain geometry: level bands behind a line, in a w×h box."""

from dataclasses import dataclass
from datetime import datetime

from contract.jst import JST
from contract.levels import Level, ordered_levels

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
TICK_EVERY_H = 6


@dataclass(frozen=True, slots=True)
class Band:
    level: Level
    y0: float
    y1: float


@dataclass(frozen=True, slots=True)
class TrendGeometry:
    bands: tuple[Band, ...]
    line: tuple[float, ...]  # x0, y0, x1, y1, … as Kivy's Line takes them
    low_c: float
    high_c: float


def trend_geometry(
    history: list[tuple[int, float, str]], now_ms: int, width: float, height: float
) -> TrendGeometry:
    """Bands for every level and the line of the last 24 h, scaled to ``width``×``height``.

    The scale covers 15–35 °C, widened to include any value measured.
    """
    values = [w for _, w, _ in history]
    low = min([15.0, *values])
    high = max([35.0, *values])
    span = high - low

    def y_of(c: float) -> float:
        return (c - low) / span * height

    bands: list[Band] = []
    levels = ordered_levels()
    for i, level in enumerate(levels):
        bottom = level.info.lower_bound_c
        top = levels[i + 1].info.lower_bound_c if i + 1 < len(levels) else None
        y0 = 0.0 if bottom is None else y_of(max(low, min(high, bottom)))
        y1 = height if top is None else y_of(max(low, min(high, top)))
        if y1 > y0:
            bands.append(Band(level, y0, y1))
    line: list[float] = []
    start = now_ms - DAY_MS
    for ts, wbgt, _ in history:
        if start <= ts <= now_ms:
            line += [(ts - start) / DAY_MS * width, y_of(wbgt)]
    return TrendGeometry(tuple(bands), tuple(line), low, high)


@dataclass(frozen=True, slots=True)
class Tick:
    x: float  # 0 (24 h ago) to 1 (now)
    label: str  # the JST hour, "18:00"


def hour_ticks(now_ms: int, every_h: int = TICK_EVERY_H) -> tuple[Tick, ...]:
    """The time axis: every ``every_h``-th full JST hour in the last 24 h."""
    start = now_ms - DAY_MS
    ticks: list[Tick] = []
    hour = start // HOUR_MS * HOUR_MS + HOUR_MS
    while hour <= now_ms:
        moment = datetime.fromtimestamp(hour / 1000, JST)
        if moment.hour % every_h == 0:
            ticks.append(Tick((hour - start) / DAY_MS, f"{moment.hour}:00"))
        hour += HOUR_MS
    return tuple(ticks)
