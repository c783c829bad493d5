"""The Environment Ministry's five levels: bounds, colours, icons and words."""

import re

import pytest

from contract.levels import LEVELS, Level, level_for, ordered_levels


@pytest.mark.parametrize(
    ("wbgt", "expected"),
    [
        (-5.0, Level.SAFE),
        (20.99, Level.SAFE),
        (21.0, Level.CAUTION),
        (24.99, Level.CAUTION),
        (25.0, Level.WARNING),
        (27.99, Level.WARNING),
        (28.0, Level.SEVERE_WARNING),
        (30.99, Level.SEVERE_WARNING),
        (31.0, Level.DANGER),
        (45.0, Level.DANGER),
    ],
)
def test_lower_bounds_are_inclusive(wbgt: float, expected: Level) -> None:
    assert level_for(wbgt) is expected


def test_nan_has_no_level() -> None:
    with pytest.raises(ValueError, match="NaN"):
        level_for(float("nan"))


def test_levels_are_ordered_from_safe_to_danger_with_the_ministry_bounds() -> None:
    order = ordered_levels()
    assert order[0] is Level.SAFE
    assert order[-1] is Level.DANGER
    assert [LEVELS[lv].lower_bound_c for lv in order] == [None, 21.0, 25.0, 28.0, 31.0]
    assert [lv.rank for lv in order] == [0, 1, 2, 3, 4]


def test_japanese_names_are_the_ministrys() -> None:
    names = [LEVELS[lv].name_ja for lv in ordered_levels()]
    assert names == ["ほぼ安全", "注意", "警戒", "厳重警戒", "危険"]


@pytest.mark.parametrize("level", list(Level))
def test_every_level_has_colour_icon_and_guidance_in_japanese_and_english(level: Level) -> None:
    info = level.info
    assert info.level is level
    assert re.fullmatch(r"#[0-9A-F]{6}", info.colour)
    assert re.fullmatch(r"#[0-9A-F]{6}", info.text_colour)
    assert info.icon.startswith("level-")
    assert info.guidance_ja
    assert info.guidance_en
    assert info.name_en


def test_no_two_levels_share_a_colour_or_an_icon() -> None:
    assert len({i.colour for i in LEVELS.values()}) == 5
    assert len({i.icon for i in LEVELS.values()}) == 5
