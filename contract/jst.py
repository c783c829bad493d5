"""Japan Standard Time, the zone every date is shown in, and daily ``HH:MM`` windows in it.

Japan has kept UTC+9 without daylight saving since 1951, so a fixed offset is exact and needs
no time-zone database on the station.
"""

from datetime import datetime, timedelta, timezone
from typing import Annotated

from pydantic import Field

JST = timezone(timedelta(hours=9), "JST")

# ASCII digits only: ``\d`` would also accept other scripts' digits.
HourMinute = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


def minutes_of(hhmm: str) -> int | None:
    """``"05:30"`` → 330; anything that is not a time of day → None."""
    try:
        hours, minutes = hhmm.split(":")
        h, m = int(hours), int(minutes)
    except (ValueError, AttributeError):
        return None
    if not (0 <= h < 24 and 0 <= m < 60):
        return None
    return h * 60 + m


def in_window(start: HourMinute, end: HourMinute, when_ms: int) -> bool:
    """Whether ``when_ms`` (UTC epoch ms) falls in the daily JST window [start, end).

    The window may wrap past midnight (``22:00``–``07:00``). An empty window (start equal to
    end) contains no time at all. ValueError for a start or end that is not ``HH:MM``.
    """
    first, last = minutes_of(start), minutes_of(end)
    if first is None or last is None:
        raise ValueError(f"not a daily window: {start!r}–{end!r}")
    local = datetime.fromtimestamp(when_ms / 1000, JST)
    now = local.hour * 60 + local.minute
    if first <= last:
        return first <= now < last
    return now >= first or now < last
