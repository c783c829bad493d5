"""After a broker restart the stations come back spread out, not all in the same second."""

import random

from sensors.uplink.backoff import Backoff


def test_each_failed_attempt_doubles_the_window_up_to_its_ceiling() -> None:
    highest = Backoff(min_s=1.0, max_s=60.0, uniform=lambda low, high: high)
    assert [highest.next_s() for _ in range(8)] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    highest.reset()
    assert highest.next_s() == 2.0
    lowest = Backoff(min_s=1.0, max_s=60.0, uniform=lambda low, high: low)
    assert {lowest.next_s() for _ in range(8)} == {1.0}


def test_a_fleet_that_lost_the_broker_together_does_not_return_together() -> None:
    rng = random.Random(7)
    fleet = [Backoff(uniform=rng.uniform) for _ in range(20_000)]
    # Everyone's first three attempts fail (the broker is still starting).
    returns = [sum(b.next_s() for _ in range(4)) for b in fleet]
    per_second: dict[int, int] = {}
    for t in returns:
        per_second[int(t)] = per_second.get(int(t), 0) + 1
    # Without jitter all 20,000 would return in one second; with it no second takes a tenth.
    assert max(per_second.values()) < 0.1 * len(fleet)
    assert max(returns) - min(returns) > 20  # spread over more than 20 s
