"""The official forecast's line on the home screen, decided without a window."""

from datetime import datetime

import pytest

from contract.jst import JST
from kiosk.forecast import forecast_line
from kiosk.i18n import Translator
from localstate import ForecastView

NOW = int(datetime(2026, 8, 7, 11, 20, tzinfo=JST).timestamp() * 1000)
END_OF_8TH = int(datetime(2026, 8, 9, tzinfo=JST).timestamp() * 1000)
SOURCE = {"ja": "出典：環境省熱中症予防情報サイト", "en": "Source: Ministry of the Environment"}


@pytest.fixture(scope="module")
def tr() -> Translator:
    return Translator()


def forecast(days: dict[str, float], expires_at: int | None = END_OF_8TH) -> ForecastView:
    return ForecastView(1, "46106", NOW - 3_600_000, days, SOURCE, expires_at)


def test_todays_maximum_with_its_level_and_source(tr: Translator) -> None:
    line = forecast_line(forecast({"2026-08-07": 33.0, "2026-08-08": 29.5}), "ja", tr, NOW)
    assert line.text == "今日の予想 最高 33（危険）"
    assert (line.source, line.source_lang) == (SOURCE["ja"], "ja")


def test_tenths_are_shown_in_the_screens_own_decimal_form(tr: Translator) -> None:
    line = forecast_line(forecast({"2026-08-07": 30.6}), "en", tr, NOW)
    assert line.text == "Today's forecast: high 30.6 (Severe warning)"


def test_a_language_the_source_lacks_shows_it_by_the_fallbacks(tr: Translator) -> None:
    line = forecast_line(forecast({"2026-08-07": 28.0}), "vi", tr, NOW)
    assert line.text.startswith("Dự báo hôm nay")
    assert (line.source, line.source_lang) == (SOURCE["en"], "en")


def test_after_midnight_yesterdays_file_still_speaks_for_the_new_day(tr: Translator) -> None:
    next_morning = int(datetime(2026, 8, 8, 6, tzinfo=JST).timestamp() * 1000)
    line = forecast_line(forecast({"2026-08-07": 33.0, "2026-08-08": 29.5}), "ja", tr, next_morning)
    assert line.text == "今日の予想 最高 29.5（厳重警戒）"


def test_no_line_without_a_forecast_for_today_or_once_it_expired(tr: Translator) -> None:
    assert forecast_line(None, "ja", tr, NOW).text == ""
    assert forecast_line(forecast({"2026-08-08": 29.5}), "ja", tr, NOW).text == ""
    expired = forecast({"2026-08-07": 33.0}, expires_at=NOW)
    assert forecast_line(expired, "ja", tr, NOW).text == ""
