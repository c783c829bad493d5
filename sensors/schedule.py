"""Daily windows in JST ('HH:MM'–'HH:MM', may wrap past midnight). Pure functions."""

from datetime import datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def in_window(start: str, end: str, when_ms: int) -> bool:
    """Whether ``when_ms`` (UTC epoch ms) falls in the JST window [start, end)."""
    local = datetime.fromtimestamp(when_ms / 1000, JST)
    now = local.hour * 60 + local.minute
    first, last = _minutes(start), _minutes(end)
    if first == last:
        return False
    if first < last:
        return first <= now < last
    return now >= first or now < last
