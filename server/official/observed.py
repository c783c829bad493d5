"""The observed (estimated) file ``est15WG/dl/wbgt_{point}_{YYYYMM}.csv``: hourly WBGT in °C.

Header ``Date,Time,{point}[,{point}…]``; rows like ``2026/8/1,1:00,25.0``; hours ``1:00``…
``24:00`` (24:00 ends the day); hours not yet reached are empty cells.
"""

from datetime import datetime

from server.official.errors import OfficialDataError
from server.official.text import rows
from server.official.times import parse_clock, parse_date

_PLAUSIBLE_C = (-30.0, 60.0)


def parse_observed(data: bytes, point: str) -> tuple[tuple[datetime, float], ...]:
    """Every hour with a value for ``point``, in time order (JST)."""
    table = rows(data)
    if not table:
        raise OfficialDataError("empty", "no rows")
    header = table[0]
    if len(header) < 3 or header[0].lower() != "date" or header[1].lower() != "time":
        raise OfficialDataError("header", "the first row must be Date,Time,{point}…")
    if point not in header[2:]:
        raise OfficialDataError("point", f"point {point} is not in the header {header[2:]}")
    column = header.index(point)
    found: dict[datetime, float] = {}
    for number, row in enumerate(table[1:], start=2):
        if len(row) < 2:
            raise OfficialDataError("truncated", f"row {number} has no time")
        at = parse_clock(parse_date(row[0]), row[1])
        cell = row[column] if column < len(row) else ""
        if not cell:
            continue
        try:
            value = float(cell)
        except ValueError:
            raise OfficialDataError("value", f"row {number}: {cell!r} is not a number") from None
        if not _PLAUSIBLE_C[0] <= value <= _PLAUSIBLE_C[1]:
            raise OfficialDataError("value", f"row {number}: {value} °C is not a WBGT")
        found[at] = value
    return tuple(sorted(found.items()))
