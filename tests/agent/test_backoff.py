"""After a broker restart the stations come back spread out, not all in the same second."""

import random

from sensors.uplink.backoff import Backoff


def per_second(times: list[float]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for t in times:
        counts[int(t)] = counts.get(int(t), 0) + 1
    return counts


def test_the_first_wait_spans_the_spread_then_each_failure_doubles_up_to_the_ceiling() -> None:
    highest = Backoff(min_s=1.0, max_s=60.0, spread_s=10.0, uniform=lambda low, high: high)
    assert [highest.next_s() for _ in range(8)] == [10.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    highest.reset()
    assert highest.next_s() == 10.0  # every new loss is spread again
    lowest = Backoff(min_s=1.0, max_s=60.0, spread_s=10.0, uniform=lambda low, high: low)
    assert {lowest.next_s() for _ in range(8)} == {1.0}


def test_a_spread_below_the_shortest_wait_is_the_shortest_wait() -> None:
    assert Backoff(min_s=1.0, spread_s=0.2, uniform=lambda low, high: high).next_s() == 1.0


def test_a_fleet_whose_broker_restarted_at_once_does_not_return_in_one_second() -> None:
    rng = random.Random(7)
    fleet = [Backoff(spread_s=30.0, uniform=rng.uniform) for _ in range(20_000)]
    # The broker was back within a second: every first attempt succeeds.
    returns = [b.next_s() for b in fleet]
    # The whole fleet inside the first window, at most about a thirtieth of it a second.
    assert max(returns) <= 30.0
    assert max(per_second(returns).values()) < 0.045 * len(fleet)


def test_a_fleet_that_lost_the_broker_for_longer_stays_spread() -> None:
    rng = random.Random(7)
    fleet = [Backoff(uniform=rng.uniform) for _ in range(20_000)]
    # Everyone's first three attempts fail (the broker is still starting).
    returns = [sum(b.next_s() for _ in range(4)) for b in fleet]
    # Without jitter all 20,000 would return in one second; with it no second takes a tenth.
    assert max(per_second(returns).values()) < 0.1 * len(fleet)
    assert max(returns) - min(returns) > 20  # spread over more than 20 s
