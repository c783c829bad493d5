"""The official forecast's line on the home screen: 「今日の予想 最高 33（危険）」 in the screen's
language, and beside it the source the Ministry's terms ask for. Built without Kivy."""

from dataclasses import dataclass
from datetime import datetime

from contract.jst import JST
from contract.levels import level_for
from kiosk.i18n import Translator, pick_block
from localstate import ForecastView


@dataclass(frozen=True, slots=True)
class ForecastLine:
    text: str  # empty: no forecast for today (none held, expired, or for other days)
    source: str
    source_lang: str


NO_FORECAST = ForecastLine("", "", "ja")


def forecast_line(
    forecast: ForecastView | None, lang: str, tr: Translator, now_ms: int
) -> ForecastLine:
    if forecast is None:
        return NO_FORECAST
    today = datetime.fromtimestamp(now_ms / 1000, JST).date().isoformat()
    high = forecast.max_on(today, now_ms)
    if high is None:
        return NO_FORECAST
    level = level_for(high)
    text = tr.text(
        lang,
        "forecast.today",
        value=_value(high, lang, tr),
        level=tr.text(lang, f"level.{level.value}.name"),
    )
    source_lang, (source,) = pick_block([forecast.attribution], lang)
    return ForecastLine(text, source, source_lang)


def _value(wbgt: float, lang: str, tr: Translator) -> str:
    """Whole degrees as the Ministry shows them (33), tenths only when there are some."""
    if wbgt == round(wbgt):
        return f"{wbgt:.0f}"
    return f"{wbgt:.1f}".replace(".", tr.text(lang, "number.decimal_sep") or ".")
