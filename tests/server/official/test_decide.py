"""Alerts that set themselves from the official file, and what they leave alone."""

from datetime import date, datetime

import pytest

from contract.content import AlertKind
from contract.jst import JST
from server.official.alerts import AlertFlag, parse_alerts
from server.official.decide import Applied, DayFlags, end_of, flags_for_day, to_apply
from tests.server.official.files import KANAGAWA, alert_csv

TODAY = date(2026, 8, 7)
AT_5 = datetime(2026, 8, 7, 5, tzinfo=JST)


def official(flag: AlertFlag, day: date = TODAY) -> DayFlags:
    return DayFlags(day, flag, AT_5)


@pytest.mark.parametrize(
    ("flag", "alert"),
    [
        (AlertFlag.ALERT, AlertKind.HEATSTROKE_ALERT),
        (AlertFlag.SPECIAL, AlertKind.SPECIAL_HEATSTROKE_ALERT),
        (AlertFlag.SPECIAL_JUDGED, None),
        (AlertFlag.UNDECIDED, None),
        (AlertFlag.NONE, None),
    ],
)
def test_flags_1_and_3_set_the_stations_alert_and_the_others_do_not(
    flag: AlertFlag, alert: AlertKind | None
) -> None:
    assert to_apply(official(flag), None) is alert


def test_a_later_lower_flag_does_not_take_the_alert_down_before_the_day_ends() -> None:
    applied = Applied(TODAY, AlertKind.HEATSTROKE_ALERT, by_staff=False)
    assert to_apply(official(AlertFlag.NONE), applied) is None
    assert to_apply(official(AlertFlag.ALERT), applied) is None
    assert end_of(TODAY) == datetime(2026, 8, 8, 0, tzinfo=JST)


def test_an_official_alert_can_grow_within_the_day() -> None:
    applied = Applied(TODAY, AlertKind.HEATSTROKE_ALERT, by_staff=False)
    assert to_apply(official(AlertFlag.SPECIAL), applied) is AlertKind.SPECIAL_HEATSTROKE_ALERT


@pytest.mark.parametrize("flag", [AlertFlag.ALERT, AlertFlag.SPECIAL])
def test_staff_clearing_the_alert_for_a_day_is_kept_for_that_day(flag: AlertFlag) -> None:
    cleared = Applied(TODAY, AlertKind.NONE, by_staff=True)
    assert to_apply(official(flag), cleared) is None
    tomorrow = date(2026, 8, 8)
    assert to_apply(official(flag, tomorrow), cleared) is not None


def test_the_17_00_file_speaks_for_tomorrow_in_its_second_column() -> None:
    text = alert_csv(TODAY, "17:00", [(*KANAGAWA, 0, 3)])
    file = parse_alerts(text.encode())
    tomorrow = flags_for_day(file, "140000", date(2026, 8, 8))
    assert tomorrow is not None
    assert tomorrow.flag is AlertFlag.SPECIAL
    assert flags_for_day(file, "140000", TODAY) == DayFlags(
        TODAY, AlertFlag.NONE, datetime(2026, 8, 7, 17, tzinfo=JST)
    )
    assert flags_for_day(file, "140000", date(2026, 8, 10)) is None
