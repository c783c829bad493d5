"""A failed read is no value and a counted, classified error — never the previous value."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.messages import TEMP_MAX_C, TEMP_MIN_C, within_bounds
from sensors.dht import Failure, FakeDHT
from sensors.reader import ReadError, read_once
from sensors.sampling import Sampler, SamplingRules
from sensors.simulation import SummerDay


class Ticker:
    """A monotonic clock the test moves; waiting moves it too."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += seconds


def sampler(fake: FakeDHT, ticker: Ticker, **rules: float) -> Sampler:
    return Sampler(lambda: fake, SamplingRules(**rules), wait=ticker.wait, now_s=ticker)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (Failure.NOT_FOUND, ReadError.NOT_FOUND),
        (Failure.CHECKSUM, ReadError.CHECKSUM),
        (Failure.TIMEOUT, ReadError.TIMEOUT),
        (Failure.GARBAGE, ReadError.IMPLAUSIBLE),
        (Failure.HUNG, ReadError.NOT_FOUND),
    ],
)
def test_a_failing_sensor_gives_no_value_and_a_classified_count(
    failure: Failure, error: ReadError
) -> None:
    ticker = Ticker()
    fake = FakeDHT(SummerDay(seed=1))
    s = sampler(fake, ticker)
    assert s.sample().ok
    fake.failure = failure
    result = s.sample()
    assert (result.temp_c, result.rh, result.error) == (None, None, error)
    assert s.errors[error.value] == 3  # every attempt within the interval counted
    assert (s.state, s.detail, s.consecutive_failures) == ("fault", error.value, 1)
    fake.failure = None
    assert s.sample().ok
    assert s.state == "ok"
    assert s.consecutive_failures == 0


def test_reads_are_retried_within_the_interval_at_most_every_two_seconds() -> None:
    ticker = Ticker()
    fake = FakeDHT(SummerDay(seed=2))
    s = sampler(fake, ticker, min_gap_s=2.0)
    s.sample()
    fake.failure = Failure.CHECKSUM
    started = ticker.now
    s.sample()
    assert fake.reads == 4
    assert ticker.now - started >= 3 * 2.0


def test_a_sudden_jump_is_refused_but_a_lasting_change_is_accepted() -> None:
    ticker = Ticker()
    fake = FakeDHT(SummerDay(seed=3))
    s = sampler(fake, ticker, attempts=1, median_of=1)
    normal = s.sample().temp_c
    assert normal is not None
    fake.failure = Failure.SPIKE
    ticker.now += 60
    assert s.sample().error is ReadError.IMPLAUSIBLE
    assert s.sample().error is ReadError.IMPLAUSIBLE
    third = s.sample()  # the third time in a row it is weather, not a glitch
    assert third.ok
    assert third.temp_c is not None
    assert third.temp_c > normal + 10


def test_identical_values_for_too_long_mean_a_stuck_sensor() -> None:
    ticker = Ticker()
    fake = FakeDHT(SummerDay(seed=4))
    s = sampler(fake, ticker, stuck_after_s=600)
    s.sample()
    fake.failure = Failure.STUCK
    for _ in range(5):
        ticker.now += 100
        assert s.sample().ok
    ticker.now += 100
    result = s.sample()
    assert result.error is ReadError.STUCK
    assert s.state == "stuck"
    assert s.errors["stuck"] == 1


def test_the_reported_value_is_the_median_of_recent_good_reads() -> None:
    ticker = Ticker()
    values = iter([(30.0, 60.0), (30.4, 61.0), (30.2, 90.0)])

    class Scripted(FakeDHT):
        def _measure(self) -> tuple[float, float]:
            return next(values)

    s = sampler(Scripted(), ticker, max_rh_step=50)
    s.sample()
    s.sample()
    result = s.sample()
    assert (result.temp_c, result.rh) == (30.2, 61.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([None, *Failure]), min_size=1, max_size=40))
def test_whatever_the_sensor_does_a_failed_reading_never_carries_a_value(
    script: list[Failure | None],
) -> None:
    ticker = Ticker()
    fake = FakeDHT(SummerDay(seed=9))
    s = sampler(fake, ticker, stuck_after_s=120)
    failures = 0
    for failure in script:
        fake.failure = failure
        ticker.now += 60
        result = s.sample()
        if result.ok:
            assert result.temp_c is not None
            assert result.rh is not None
            assert within_bounds(result.temp_c, result.rh)
        else:
            failures += 1
            assert (result.temp_c, result.rh) == (None, None)
            assert s.state in ("fault", "stuck")
        fake.set_power(True)
    assert sum(s.errors.values()) >= failures


class Answers:
    """A DHT that answers with the values it is given."""

    def __init__(self, temp_c: float, rh: float) -> None:
        self.temperature, self.humidity = temp_c, rh

    def exit(self) -> None:
        pass


@pytest.mark.parametrize(
    ("temp_c", "rh", "kept"),
    [
        (TEMP_MIN_C, 0.0, True),
        (TEMP_MAX_C, 100.0, True),
        (TEMP_MIN_C - 0.1, 50.0, False),
        (TEMP_MAX_C + 0.1, 50.0, False),
        (25.0, 100.1, False),
        (25.0, -0.1, False),
    ],
)
def test_the_sensor_range_is_the_one_the_server_accepts(
    temp_c: float, rh: float, kept: bool
) -> None:
    result = read_once(Answers(temp_c, rh))
    assert result.ok is kept
    assert result.error is (None if kept else ReadError.IMPLAUSIBLE)
