"""The Ministry's files are read as the public record describes them, and anything else is
refused with a reason a person can act on."""

from datetime import date, datetime

import pytest

from contract.jst import JST
from server.official.alerts import AlertFlag, parse_alerts
from server.official.errors import OfficialDataError
from server.official.forecast import parse_forecast
from server.official.observed import parse_observed
from tests.server.official.files import (
    HOKKAIDO,
    KANAGAWA,
    TOKYO,
    alert_csv,
    forecast_csv,
    observed_csv,
)

YOKOHAMA = "46106"
START = datetime(2026, 8, 7, 3, tzinfo=JST)
# 03:00 … 24:00 of 7 August, then 03:00 … of the 8th
EIGHT_DAY_VALUES = [255, 262, 290, 318, 331, 301, 270, 258, 250, 260, 300, 335]


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "shift_jis"])
def test_a_forecast_reads_the_same_in_every_encoding_the_site_uses(encoding: str) -> None:
    text = forecast_csv(YOKOHAMA, START, EIGHT_DAY_VALUES, other_points=("横浜以外",))
    forecast = parse_forecast(text.encode(encoding), YOKOHAMA)
    assert forecast.made_at == jst(2026, 8, 7, 20, 25)
    assert forecast.values[0] == (jst(2026, 8, 7, 3), 25.5)
    assert forecast.daily_max(date(2026, 8, 7)) == 33.1
    assert forecast.daily_max(date(2026, 8, 8)) == 33.5


def test_hour_24_is_the_end_of_the_day_it_closes() -> None:
    forecast = parse_forecast(forecast_csv(YOKOHAMA, START, EIGHT_DAY_VALUES).encode(), YOKOHAMA)
    times = [at for at, _ in forecast.values]
    assert jst(2026, 8, 8, 0) in times  # written 2026080724
    midnight = dict(forecast.values)[jst(2026, 8, 8, 0)]
    assert midnight == 25.8
    # 24:00 belongs to the 7th: the 8th's maximum does not count it
    values_on_8th = [v for at, v in forecast.values if at.date() == date(2026, 8, 8) and at.hour]
    assert forecast.daily_max(date(2026, 8, 8)) == max(v for v in values_on_8th if v is not None)


def test_empty_forecast_cells_are_no_value_not_zero() -> None:
    values: list[int | None] = [None, 270, None, 310]
    forecast = parse_forecast(forecast_csv(YOKOHAMA, START, values).encode(), YOKOHAMA)
    assert [v for _, v in forecast.values] == [None, 27.0, None, 31.0]
    assert forecast.daily_max(date(2026, 8, 7)) == 31.0
    assert (
        parse_forecast(forecast_csv(YOKOHAMA, START, [None]).encode(), YOKOHAMA).daily_max(
            date(2026, 8, 7)
        )
        is None
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "html"),
        (b"\n  <html><head><title>Error</title></head></html>", "html"),
        (b"\xff\xfe\xfa\xfb\x80", "encoding"),
        (b"point,made,2026080703\n46106,2026/08/07 20:25,250\n", "header"),
        (b",,2026080703,2026080700\n46106,2026/08/07 20:25,250,260\n", "header"),
        (b",,2026023003\n46106,2026/08/07 20:25,250\n", "header"),
        (b",,2026080703,2026080706\n46106,2026/08/07 20:25,250\n", "truncated"),
        (b",,2026080703\n46106,2026/08/07 20:25,25.0\n", "value"),
        (b",,2026080703\n46106,2026/08/07 20:25,9999\n", "value"),
        (b",,2026080703\n46106,yesterday,250\n", "value"),
        (b",,2026080703\n46091,2026/08/07 20:25,250\n", "point"),
    ],
)
def test_a_forecast_that_does_not_fit_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(OfficialDataError) as refused:
        parse_forecast(data, YOKOHAMA)
    assert refused.value.reason == reason
    assert refused.value.detail


def test_observed_values_run_from_1_00_to_24_00_and_stop_where_the_day_has_not_reached() -> None:
    day = date(2026, 8, 1)
    text = observed_csv([YOKOHAMA], day, {YOKOHAMA: [25.0, 24.6, 24.1] + [None] * 21})
    assert "2026/8/1,24:00," in text
    assert parse_observed(text.encode(), YOKOHAMA) == (
        (jst(2026, 8, 1, 1), 25.0),
        (jst(2026, 8, 1, 2), 24.6),
        (jst(2026, 8, 1, 3), 24.1),
    )


def test_observed_24_00_is_the_next_midnight_and_a_prefecture_file_has_a_column_per_point() -> None:
    day = date(2026, 8, 31)
    full_day = [float(20 + h % 10) for h in range(24)]
    text = observed_csv(["46091", YOKOHAMA], day, {YOKOHAMA: full_day, "46091": [30.0] * 24})
    values = dict(parse_observed(text.encode("shift_jis"), YOKOHAMA))
    assert values[jst(2026, 9, 1, 0)] == full_day[23]
    assert len(values) == 24


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Date,Time,46091\n2026/8/1,1:00,25.0\n", "point"),
        ("Day,Hour,46106\n2026/8/1,1:00,25.0\n", "header"),
        ("Date,Time,46106\n2026/8/1,25:00,25.0\n", "value"),
        ("Date,Time,46106\n2026/8/1,24:30,25.0\n", "value"),
        ("Date,Time,46106\n2026/2/30,1:00,25.0\n", "value"),
        ("Date,Time,46106\n2026/8/1,1:00,hot\n", "value"),
        ("Date,Time,46106\n2026/8/1,1:00,250\n", "value"),
        ("Date,Time,46106\n2026/8/1\n", "truncated"),
    ],
)
def test_an_observed_file_that_does_not_fit_is_refused(text: str, reason: str) -> None:
    with pytest.raises(OfficialDataError) as refused:
        parse_observed(text.encode(), YOKOHAMA)
    assert refused.value.reason == reason


@pytest.mark.parametrize("flag", list(AlertFlag))
def test_every_alert_flag_is_read_for_today_and_tomorrow(flag: AlertFlag) -> None:
    text = alert_csv(
        date(2026, 8, 31), "05:00", [(*KANAGAWA, flag.value, 0), (*TOKYO, 1, flag.value)]
    )
    alerts = parse_alerts(text.encode())
    assert alerts.reported_at == jst(2026, 8, 31, 5)
    assert (alerts.target_date1, alerts.target_date2) == (date(2026, 8, 31), date(2026, 9, 1))
    assert alerts.for_area("140000").target1 is flag
    assert alerts.for_area("130010").target2 is flag


def test_flags_are_found_by_their_header_names_wherever_the_columns_are() -> None:
    header = (
        "府県予報区,府県予報区(かな),予備,府県予報区コード,都道府県,都道府県コード,"
        "TargetDate2フラグ,TargetDate1フラグ"
    )
    text = alert_csv(date(2026, 8, 31), "17:00", [(*KANAGAWA, 3, 1)], header=header)
    kanagawa = parse_alerts(text.encode()).for_area("140000")
    assert (kanagawa.target1, kanagawa.target2) == (AlertFlag.ALERT, AlertFlag.SPECIAL)


def test_a_prefecture_of_several_areas_is_under_alert_when_any_of_them_is() -> None:
    rows = [(*HOKKAIDO[0], 0, 9), (*HOKKAIDO[1], 1, 0), (*HOKKAIDO[2], 0, 0), (*KANAGAWA, 0, 0)]
    alerts = parse_alerts(alert_csv(date(2026, 8, 31), "05:00", rows).encode())
    assert alerts.for_area("010000").target1 is AlertFlag.ALERT
    assert alerts.for_area("010000").target2 is AlertFlag.NONE
    assert alerts.for_area("012010").target1 is AlertFlag.ALERT
    assert alerts.for_area("011000").target1 is AlertFlag.NONE


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ReportDate,2026/08/31\n", "header"),
        (alert_csv(date(2026, 8, 31), "05:00", []), "truncated"),
        (alert_csv(date(2026, 8, 31), "05:00", [(*KANAGAWA, 1, 0)]).rsplit(",", 2)[0], "truncated"),
        (alert_csv(date(2026, 8, 31), "05:00", [(*KANAGAWA, 4, 0)]), "value"),
        (alert_csv(date(2026, 8, 31), "early", [(*KANAGAWA, 1, 0)]), "value"),
        (
            alert_csv(date(2026, 8, 31), "05:00", [("神奈川県", "14", "神奈川県", "14", 1, 0)]),
            "row",
        ),
        ("<html><body>メンテナンス中</body></html>", "html"),
    ],
)
def test_an_alert_file_that_does_not_fit_is_refused(text: str, reason: str) -> None:
    with pytest.raises(OfficialDataError) as refused:
        parse_alerts(text.encode())
    assert refused.value.reason == reason


def test_an_area_not_in_the_file_is_refused_by_name() -> None:
    alerts = parse_alerts(alert_csv(date(2026, 8, 31), "05:00", [(*TOKYO, 1, 0)]).encode())
    with pytest.raises(OfficialDataError, match="140000"):
        alerts.for_area("140000")
