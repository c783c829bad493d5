"""Daily windows in Japan Standard Time: what the quiet hours and the screen schedule mean."""

from datetime import UTC, datetime

import pytest

from contract.jst import JST, in_window


def at_jst(hhmm: str) -> int:
    hour, minute = map(int, hhmm.split(":"))
    return int(datetime(2026, 7, 26, hour, minute, tzinfo=JST).timestamp() * 1000)


def test_a_window_includes_its_start_and_not_its_end() -> None:
    assert in_window("05:00", "23:00", at_jst("05:00"))
    assert in_window("05:00", "23:00", at_jst("22:59"))
    assert not in_window("05:00", "23:00", at_jst("23:00"))
    assert not in_window("05:00", "23:00", at_jst("04:59"))


def test_a_window_may_wrap_past_midnight() -> None:
    assert in_window("22:00", "07:00", at_jst("23:30"))
    assert in_window("22:00", "07:00", at_jst("06:59"))
    assert not in_window("22:00", "07:00", at_jst("12:00"))


def test_an_empty_window_contains_no_time() -> None:
    assert not any(in_window("07:00", "07:00", at_jst(t)) for t in ("00:00", "07:00", "18:30"))


def test_the_window_is_read_on_the_clock_in_japan() -> None:
    utc_evening = int(datetime(2026, 7, 26, 23, 30, tzinfo=UTC).timestamp() * 1000)
    assert in_window("08:00", "09:00", utc_evening)  # 08:30 the next morning in Japan


@pytest.mark.parametrize("bad", ["24:00", "7:5x", "", "noon"])
def test_a_time_that_is_not_hh_mm_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="daily window"):
        in_window(bad, "07:00", 0)
