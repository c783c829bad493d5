"""How long a station waits before it tries the broker again: exponential, jittered.

After a broker restart every station loses it in the same second. Without jitter they
would all come back in the same second too, and again at every doubling; each wait is
drawn at random between ``min_s`` and a ceiling that doubles per failed attempt (up to
``max_s``), so a fleet's reconnects spread over the whole window.
"""

import random
from collections.abc import Callable

RECONNECT_MIN_S = 1.0
RECONNECT_MAX_S = 60.0


class Backoff:
    def __init__(
        self,
        min_s: float = RECONNECT_MIN_S,
        max_s: float = RECONNECT_MAX_S,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.min_s = min_s
        self.max_s = max_s
        self.uniform = uniform
        self.attempt = 0

    def next_s(self) -> float:
        """The wait before the next attempt; each call counts one more failure."""
        ceiling = min(self.max_s, self.min_s * 2 ** (self.attempt + 1))
        self.attempt = min(self.attempt + 1, 32)
        return self.uniform(self.min_s, ceiling)

    def reset(self) -> None:
        """Connected: the next loss starts from the shortest wait again."""
        self.attempt = 0
