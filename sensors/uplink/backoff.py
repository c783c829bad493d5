"""How long a station waits before it tries the broker again: spread first, then doubling.

After a broker restart every station loses it in the same second, and the broker is often
back within a second. The first wait after a loss is therefore drawn over the whole spread
window (``spread_s``, sized to the fleet: docs/scaling.md), so the fleet's first attempts
arrive at the rate the broker can take rather than in one second. If that attempt fails the
broker is still down, and the station is already at its own place in the spread: each
further wait is drawn between ``min_s`` and a ceiling that doubles per failed attempt (up to
``max_s``), so a station that was early tries again soon and a long outage does not add the
whole window again.
"""

import random
from collections.abc import Callable

RECONNECT_MIN_S = 1.0
RECONNECT_MAX_S = 60.0
RECONNECT_SPREAD_S = 4.0  # the agent's setting reconnect_spread_s


class Backoff:
    def __init__(
        self,
        min_s: float = RECONNECT_MIN_S,
        max_s: float = RECONNECT_MAX_S,
        spread_s: float = RECONNECT_SPREAD_S,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.min_s = min_s
        self.max_s = max_s
        self.spread_s = max(spread_s, min_s)
        self.uniform = uniform
        self.attempt = 0

    def next_s(self) -> float:
        """The wait before the next attempt; each call counts one more failure."""
        if self.attempt == 0:
            ceiling = self.spread_s
        else:
            ceiling = min(self.max_s, self.min_s * 2 ** (self.attempt + 1))
        self.attempt = min(self.attempt + 1, 32)
        return self.uniform(self.min_s, ceiling)

    def reset(self) -> None:
        """Connected: the next loss is spread over the whole window again."""
        self.attempt = 0
