"""The Environment Ministry's five heat-stress levels (暑さ指数 WBGT, °C).

Lower bounds are inclusive: 31.0 is 危険, 30.99 is 厳重警戒.
Colours are the ones the Ministry's heat-stress site uses; every level also has an icon
and a word so the level is never told by colour alone.
"""

import math
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    SAFE = "safe"
    CAUTION = "caution"
    WARNING = "warning"
    SEVERE_WARNING = "severe_warning"
    DANGER = "danger"

    @property
    def info(self) -> "LevelInfo":
        return LEVELS[self]

    @property
    def rank(self) -> int:
        return _ORDER.index(self)


@dataclass(frozen=True, slots=True)
class LevelInfo:
    level: Level
    lower_bound_c: float | None  # None for the lowest level
    name_ja: str
    name_en: str
    colour: str  # "#RRGGBB"
    text_colour: str  # readable on ``colour``
    icon: str  # icon name, resolved by each UI
    guidance_ja: str
    guidance_en: str


_ORDER = (Level.SAFE, Level.CAUTION, Level.WARNING, Level.SEVERE_WARNING, Level.DANGER)

LEVELS: dict[Level, LevelInfo] = {
    Level.DANGER: LevelInfo(
        Level.DANGER,
        31.0,
        "危険",
        "Danger",
        "#FF2800",
        "#FFFFFF",
        "level-danger",
        "外出はなるべく避け、涼しい室内で休んでください。",
        "Avoid going out. Rest in a cool room.",
    ),
    Level.SEVERE_WARNING: LevelInfo(
        Level.SEVERE_WARNING,
        28.0,
        "厳重警戒",
        "Severe warning",
        "#FF9600",
        "#000000",
        "level-severe-warning",
        "炎天下を避け、こまめに水分と塩分をとってください。",
        "Keep out of the sun. Drink water and take salt often.",
    ),
    Level.WARNING: LevelInfo(
        Level.WARNING,
        25.0,
        "警戒",
        "Warning",
        "#FAF500",
        "#000000",
        "level-warning",
        "運動や作業のときは、こまめに休憩してください。",
        "Take regular breaks when active or working.",
    ),
    Level.CAUTION: LevelInfo(
        Level.CAUTION,
        21.0,
        "注意",
        "Caution",
        "#A0D2FF",
        "#000000",
        "level-caution",
        "激しい運動のときは、水分をとりましょう。",
        "Drink water during hard exercise.",
    ),
    Level.SAFE: LevelInfo(
        Level.SAFE,
        None,
        "ほぼ安全",
        "Almost safe",
        "#218CFF",
        "#FFFFFF",
        "level-safe",
        "ふだんどおり過ごせます。水分はときどきとりましょう。",
        "Normal activity is fine. Drink water now and then.",
    ),
}


def level_for(wbgt_c: float) -> Level:
    """The level for a WBGT value, lower bounds inclusive; ValueError for NaN."""
    if math.isnan(wbgt_c):
        raise ValueError("WBGT is NaN: there is no level for no value")
    for level in reversed(_ORDER):
        bound = LEVELS[level].lower_bound_c
        if bound is None or wbgt_c >= bound:
            return level
    raise AssertionError("unreachable: the lowest level has no bound")


def ordered_levels() -> tuple[Level, ...]:
    """Levels from the safest to the most dangerous."""
    return _ORDER
