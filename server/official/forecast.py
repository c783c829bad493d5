"""The forecast file ``prev15WG/dl/yohou_{point}.csv``: WBGT every 3 hours, in tenths of a degree.

First row: two empty cells, then one forecast time per column (``YYYYMMDDHH``, JST, hour 24
allowed). Then one row per point: its number, when the forecast was made, one value per column
(an integer in tenths, ``260`` = 26.0 °C; a cell may be empty).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from server.official.errors import OfficialDataError
from server.official.text import rows
from server.official.times import parse_compact_hour, parse_stamp

# A forecast WBGT outside this is not a forecast of air on Earth.
_PLAUSIBLE_TENTHS = range(-300, 601)


@dataclass(frozen=True)
class Forecast:
    point: str
    made_at: datetime
    values: tuple[tuple[datetime, float | None], ...]  # (JST time, WBGT °C), in time order

    def daily_max(self, day: date) -> float | None:
        """The highest forecast of ``day`` (a value at 24:00 belongs to the day it ends)."""
        on_day = [
            value
            for at, value in self.values
            if value is not None and (at - timedelta(seconds=1)).date() == day
        ]
        return max(on_day, default=None)


def parse_forecast(data: bytes, point: str) -> Forecast:
    table = rows(data)
    if not table:
        raise OfficialDataError("empty", "no rows")
    header = table[0]
    if len(header) < 3 or any(header[:2]):
        raise OfficialDataError(
            "header", "the first row must start with two empty cells, then forecast times"
        )
    times = [parse_compact_hour(cell) for cell in header[2:] if cell]
    if times != sorted(times) or len(set(times)) != len(times):
        raise OfficialDataError("header", "forecast times are not in increasing order")
    for row in table[1:]:
        if row[0] != point:
            continue
        if len(row) < 2 + len(times):
            raise OfficialDataError(
                "truncated",
                f"point {point} has {max(len(row) - 2, 0)} values for {len(times)} forecast times",
            )
        return Forecast(
            point, parse_stamp(row[1]), tuple(zip(times, _values(row[2:]), strict=False))
        )
    raise OfficialDataError("point", f"point {point} is not in the file")


def _values(cells: list[str]) -> list[float | None]:
    values: list[float | None] = []
    for cell in cells:
        if not cell:
            values.append(None)
            continue
        try:
            tenths = int(cell)
        except ValueError:
            raise OfficialDataError("value", f"{cell!r} is not an integer in tenths") from None
        if tenths not in _PLAUSIBLE_TENTHS:
            raise OfficialDataError("value", f"{cell} tenths of a degree is not a WBGT")
        values.append(tenths / 10)
    return values
