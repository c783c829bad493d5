"""The shown level does not flicker when WBGT wobbles around a boundary."""

import math

import pytest

from contract.levels import Level
from sensors.heat import LevelTracker


def shown(values: list[float], hysteresis_c: float = 0.5) -> list[Level]:
    tracker = LevelTracker(hysteresis_c)
    return [tracker.update(v) for v in values]


def test_the_first_value_shows_its_own_level() -> None:
    assert shown([29.0]) == [Level.SEVERE_WARNING]


def test_a_rise_is_shown_at_once() -> None:
    assert shown([27.9, 28.0]) == [Level.WARNING, Level.SEVERE_WARNING]
    assert shown([20.0, 31.0]) == [Level.SAFE, Level.DANGER]


def test_a_fall_is_shown_only_below_the_boundary_minus_the_hysteresis() -> None:
    assert shown([28.0, 27.9, 27.6, 27.5, 27.49]) == [
        Level.SEVERE_WARNING,
        Level.SEVERE_WARNING,
        Level.SEVERE_WARNING,
        Level.SEVERE_WARNING,
        Level.WARNING,
    ]


@pytest.mark.parametrize("boundary", [21.0, 25.0, 28.0, 31.0])
def test_values_wobbling_around_a_boundary_do_not_flip_the_level(boundary: float) -> None:
    wobble = [boundary + d for d in (0.1, -0.2, 0.05, -0.4, 0.0, -0.3, 0.2, -0.45)]
    levels = shown(wobble)
    assert len(set(levels)) == 1
    assert levels[0].info.lower_bound_c == boundary


def test_without_hysteresis_the_same_wobble_flips_every_time() -> None:
    levels = shown([28.1, 27.9, 28.1, 27.9], hysteresis_c=0.0)
    assert levels == [Level.SEVERE_WARNING, Level.WARNING] * 2


def test_a_big_fall_lands_on_the_level_the_value_is_clearly_in() -> None:
    # From 危険 down to 26.0: clearly 警戒, not stuck one level below 危険.
    assert shown([32.0, 26.0])[-1] is Level.WARNING
    # 27.7 is within 0.5 of 28: it stays at 厳重警戒 rather than dropping to 警戒.
    assert shown([32.0, 27.7])[-1] is Level.SEVERE_WARNING


def test_reset_forgets_the_shown_level() -> None:
    tracker = LevelTracker()
    tracker.update(28.2)
    tracker.reset()
    assert tracker.update(27.8) is Level.WARNING


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf])
def test_a_negative_or_non_finite_hysteresis_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="hysteresis"):
        LevelTracker(bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_wbgt_is_refused_and_the_level_kept(bad: float) -> None:
    tracker = LevelTracker()
    tracker.update(29.0)
    with pytest.raises(ValueError, match="finite"):
        tracker.update(bad)
    assert tracker.level is Level.SEVERE_WARNING
