"""The site's time notations, for every day and hour there is."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.jst import JST
from server.official.errors import OfficialDataError
from server.official.times import at_hour, parse_clock, parse_compact_hour, parse_date, parse_stamp

days = st.dates(date(2000, 1, 1), date(2099, 12, 31))


@given(days, st.integers(0, 23))
def test_a_compact_hour_is_that_hour_in_jst(day: date, hour: int) -> None:
    parsed = parse_compact_hour(f"{day:%Y%m%d}{hour:02d}")
    assert parsed == datetime(day.year, day.month, day.day, hour, tzinfo=JST)


@given(days)
def test_hour_24_and_the_next_days_hour_0_are_the_same_moment(day: date) -> None:
    assert parse_compact_hour(f"{day:%Y%m%d}24") == parse_compact_hour(
        f"{day + timedelta(days=1):%Y%m%d}00"
    )
    assert parse_clock(day, "24:00") == at_hour(day + timedelta(days=1), 0)


@given(days, st.integers(0, 23), st.integers(0, 59))
def test_dates_are_read_with_or_without_zero_padding(day: date, hour: int, minute: int) -> None:
    assert parse_date(f"{day.year}/{day.month}/{day.day}") == day
    assert parse_date(f"{day:%Y/%m/%d}") == day
    assert parse_stamp(f"{day:%Y/%m/%d} {hour:02d}:{minute:02d}") == datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=JST
    )


@given(days, st.integers(25, 99))
def test_an_hour_past_24_is_refused(day: date, hour: int) -> None:
    with pytest.raises(OfficialDataError):
        parse_compact_hour(f"{day:%Y%m%d}{hour}")
    with pytest.raises(OfficialDataError):
        parse_clock(day, f"{hour}:00")


@given(st.text(max_size=12))
def test_any_other_text_is_refused_never_misread(text: str) -> None:
    for parse in (parse_compact_hour, parse_date, parse_stamp):
        try:
            parsed = parse(text)
        except OfficialDataError:
            continue
        assert parsed is not None
