"""The site's ways of writing a time, all JST: ``YYYYMMDDHH`` with hour 24, ``2026/8/1`` with
``24:00``, ``2026/08/07 20:25``. Hour 24 is 00:00 of the next day."""

import re
from datetime import date, datetime, time, timedelta

from contract.jst import JST
from server.official.errors import OfficialDataError

_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})$")
_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_STAMP = re.compile(r"^(\d{4}/\d{1,2}/\d{1,2})\s+(\d{1,2}:\d{2})$")


def parse_date(text: str) -> date:
    """``2026/8/1`` or ``2026/08/01``."""
    match = _DATE.match(text)
    if match is None:
        raise OfficialDataError("value", f"{text!r} is not a date like 2026/8/1")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise OfficialDataError("value", f"{text!r} is not a real date: {exc}") from None


def at_hour(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` JST, where 24:00 is the next day's midnight."""
    if not (0 <= minute <= 59) or not (0 <= hour <= 24) or (hour == 24 and minute != 0):
        raise OfficialDataError("value", f"{hour}:{minute:02d} is not a time of day")
    if hour == 24:
        return datetime.combine(day + timedelta(days=1), time(0), JST)
    return datetime.combine(day, time(hour, minute), JST)


def parse_clock(day: date, text: str) -> datetime:
    """``1:00``…``24:00`` on ``day``."""
    match = _CLOCK.match(text)
    if match is None:
        raise OfficialDataError("value", f"{text!r} is not a time like 13:00")
    return at_hour(day, int(match[1]), int(match[2]))


def parse_compact_hour(text: str) -> datetime:
    """``YYYYMMDDHH``, hour 00–24."""
    match = _COMPACT.match(text)
    if match is None:
        raise OfficialDataError("header", f"{text!r} is not a forecast time like 2026080715")
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise OfficialDataError("header", f"{text!r} is not a real date: {exc}") from None
    return at_hour(day, int(match[4]))


def parse_stamp(text: str) -> datetime:
    """``2026/08/07 20:25``."""
    match = _STAMP.match(text)
    if match is None:
        raise OfficialDataError("value", f"{text!r} is not a time like 2026/08/07 20:25")
    return parse_clock(parse_date(match[1]), match[2])
