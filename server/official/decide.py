"""What the stations' heat alert should be, given the newest official file. Pure logic.

- Flag 1 sets 熱中症警戒アラート and flag 3 熱中症特別警戒アラート for the day they are for;
  flag 2 (特別警戒 judged, not issued) is for staff only; flag 9 (undecided) changes nothing.
- Within a day an official alert only ever grows: a later file with a lower flag for the same
  day does not take it down early; it ends with the day (the alert expires at 24:00 JST).
- Once staff have set or cleared the alert for a day themselves, no file changes that day.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from contract.content import AlertKind
from contract.jst import JST
from server.official.alerts import AlertFile, AlertFlag

_RANK = {AlertKind.NONE: 0, AlertKind.HEATSTROKE_ALERT: 1, AlertKind.SPECIAL_HEATSTROKE_ALERT: 2}


@dataclass(frozen=True)
class DayFlags:
    """The official word for one day: its flag and the alert it means for stations."""

    day: date
    flag: AlertFlag
    reported_at: datetime

    @property
    def alert(self) -> AlertKind | None:
        """None: nothing to apply (undecided, or judged but not issued)."""
        return {
            AlertFlag.NONE: AlertKind.NONE,
            AlertFlag.ALERT: AlertKind.HEATSTROKE_ALERT,
            AlertFlag.SPECIAL: AlertKind.SPECIAL_HEATSTROKE_ALERT,
        }.get(self.flag)


def flags_for_day(file: AlertFile, area: str, day: date) -> DayFlags | None:
    """The file's flag for ``day`` in ``area``: TargetDate1's column, or TargetDate2's when the
    file was issued the day before (the 17:00 file for tomorrow)."""
    flags = file.for_area(area)
    if file.target_date1 == day:
        return DayFlags(day, flags.target1, file.reported_at)
    if file.target_date2 == day:
        return DayFlags(day, flags.target2, file.reported_at)
    return None


@dataclass(frozen=True)
class Applied:
    """What stations were last given for ``day``, and by whom."""

    day: date
    alert: AlertKind
    by_staff: bool


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), JST)


def to_apply(official: DayFlags | None, applied: Applied | None) -> AlertKind | None:
    """The alert to publish now for ``official.day``, or None to leave things as they are."""
    if official is None or official.alert is None:
        return None
    if applied is not None and applied.day == official.day:
        if applied.by_staff or _RANK[official.alert] <= _RANK[applied.alert]:
            return None
        return official.alert
    if official.alert is AlertKind.NONE:
        # A new day without an alert: yesterday's expired by itself at midnight.
        return None
    return official.alert
