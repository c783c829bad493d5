"""The 24-hour WBGT trend as plain geometry: level bands behind a line, in a w×h box."""

from dataclasses import dataclass

from contract.levels import Level, ordered_levels

DAY_MS = 86_400_000


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
