"""Stations checked against the official observed value of the nearest official point."""

from datetime import datetime, timedelta

import pytest

from contract.jst import JST
from server.official.compare import (
    MIN_HOURS,
    YOKOHAMA,
    OfficialPoint,
    compare,
    distance_km,
    nearest_point,
)

EBINA = OfficialPoint(number="46141", name_ja="海老名", latitude=35.4367, longitude=139.3817)
TOKYO = OfficialPoint(number="44132", name_ja="東京", latitude=35.6917, longitude=139.75)
START = datetime(2026, 8, 5, 1, tzinfo=JST)


def hourly(values: list[float]) -> dict[datetime, float]:
    return {START + timedelta(hours=i): v for i, v in enumerate(values)}


def test_distances_between_real_places_are_right() -> None:
    # 横浜 to 東京 (the Ministry's points) is about 29 km
    assert distance_km(35.4383, 139.6517, 35.6917, 139.75) == pytest.approx(29.4, abs=0.5)
    assert distance_km(35.4437, 139.6380, 35.4437, 139.6380) == 0


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ((35.4437, 139.6380), YOKOHAMA),  # 中区役所
        ((35.4439, 139.3626), EBINA),  # 海老名駅
        ((35.6812, 139.7671), TOKYO),  # 東京駅
        ((None, None), YOKOHAMA),  # no position: the ward's own point
    ],
)
def test_each_station_is_compared_with_its_nearest_official_point(
    where: tuple[float | None, float | None], expected: OfficialPoint
) -> None:
    assert nearest_point([YOKOHAMA, EBINA, TOKYO], *where) == expected


def official_day() -> list[float]:
    return [26 + 4 * ((h % 24) in range(10, 17)) + 0.1 * (h % 3) for h in range(48)]


def test_a_sensor_two_degrees_high_all_the_time_is_biased() -> None:
    official = official_day()
    result = compare("46106", hourly([v + 2.0 for v in official]), hourly(official))
    assert result.hours == 48
    assert result.mean_difference_c == pytest.approx(2.0)
    assert result.biased(threshold_c=1.5)


def test_a_sensor_that_wobbles_around_the_official_value_is_not_biased() -> None:
    official = official_day()
    wobble = [v + (0.8 if i % 2 else -0.7) for i, v in enumerate(official)]
    assert not compare("46106", hourly(wobble), hourly(official)).biased(threshold_c=1.5)


def test_one_hot_afternoon_is_not_a_bias() -> None:
    official = official_day()
    station = [v + (6.0 if 10 <= i < 16 else 0.2 * (-1) ** i) for i, v in enumerate(official)]
    result = compare("46106", hourly(station), hourly(official))
    assert not result.biased(threshold_c=1.5)


def test_too_few_hours_in_common_give_no_judgement() -> None:
    official = official_day()[: MIN_HOURS - 1]
    result = compare("46106", hourly([v + 3 for v in official]), hourly(official))
    assert not result.biased(threshold_c=1.5)
    assert compare("46106", {}, hourly(official)).mean_difference_c is None
