"""The simulated Yokohama summer day and the fake DHT22 the demo stations read."""

from datetime import UTC, datetime, timedelta

import pytest

from contract.jst import JST
from sensors.dht.device import CHECKSUM, TIMEOUT
from sensors.dht.fake import FakeDHT
from sensors.simulation import SummerDay

DAY = datetime(2026, 8, 1, tzinfo=JST)


def day_of_samples(seed: int) -> list[tuple[float, float]]:
    climate = SummerDay(seed=seed)
    return [climate.sample(DAY + timedelta(minutes=10 * i)) for i in range(144)]


def test_the_same_seed_gives_the_same_day() -> None:
    assert day_of_samples(7) == day_of_samples(7)


def test_different_seeds_give_different_days() -> None:
    assert day_of_samples(7) != day_of_samples(8)


def mean_at(hour: int, seeds: range = range(20)) -> tuple[float, float]:
    when = DAY.replace(hour=hour)
    samples = [SummerDay(seed=s).sample(when) for s in seeds]
    return (
        sum(t for t, _ in samples) / len(samples),
        sum(rh for _, rh in samples) / len(samples),
    )


def test_dawn_is_about_26_degrees_and_80_percent() -> None:
    temp, rh = mean_at(5)
    assert temp == pytest.approx(26.0, abs=0.6)
    assert rh == pytest.approx(80.0, abs=1.0)


def test_mid_afternoon_is_about_35_degrees_and_55_percent() -> None:
    temp, rh = mean_at(14)
    assert temp == pytest.approx(35.0, abs=0.6)
    assert rh == pytest.approx(55.0, abs=1.0)


def test_the_hours_are_japan_time_whatever_zone_the_clock_gives() -> None:
    climate = SummerDay(seed=3)
    at_jst = climate.true_conditions(DAY.replace(hour=14))
    at_utc = climate.true_conditions(DAY.replace(hour=14).astimezone(UTC))
    assert at_jst == at_utc


def test_each_station_differs_a_little_but_stays_near_the_day() -> None:
    peaks = {SummerDay(seed=s).true_conditions(DAY.replace(hour=14))[0] for s in range(10)}
    assert len(peaks) == 10
    assert all(34.0 <= p <= 36.0 for p in peaks)


def test_the_day_is_warmest_in_the_afternoon_and_coolest_at_dawn() -> None:
    climate = SummerDay(seed=1)
    temps = {h: climate.true_conditions(DAY.replace(hour=h))[0] for h in range(24)}
    assert min(temps, key=temps.__getitem__) == 5
    assert max(temps, key=temps.__getitem__) == 14


def test_samples_look_like_a_dht22_reading() -> None:
    for temp, rh in day_of_samples(5):
        assert round(temp, 1) == temp
        assert round(rh, 1) == rh
        assert 20 < temp < 40
        assert 0 <= rh <= 100


def read(dht: FakeDHT) -> str:
    try:
        _ = dht.temperature, dht.humidity
    except RuntimeError as exc:
        return str(exc)
    return "ok"


def test_the_fake_dht_fails_occasionally_at_its_configured_rate() -> None:
    clock = DAY.replace(hour=12)
    dht = FakeDHT(SummerDay(seed=11), clock=lambda: clock, random_failure_rate=0.1)
    outcomes = [read(dht) for _ in range(2000)]
    failures = [o for o in outcomes if o != "ok"]
    assert 140 <= len(failures) <= 260  # 10 % of 2000, well within chance
    assert set(failures) == {CHECKSUM, TIMEOUT}


def test_the_fake_dht_never_fails_at_rate_zero() -> None:
    clock = DAY.replace(hour=12)
    dht = FakeDHT(SummerDay(seed=11), clock=lambda: clock, random_failure_rate=0.0)
    assert {read(dht) for _ in range(500)} == {"ok"}
