"""A level that does not flicker when WBGT wobbles around a boundary.

Rising is immediate — a passer-by must be warned at once. Falling waits until the value
is ``hysteresis_c`` below the boundary of the current level.
"""

import math

from contract.levels import Level, level_for

DEFAULT_HYSTERESIS_C = 0.5


class LevelTracker:
    def __init__(self, hysteresis_c: float = DEFAULT_HYSTERESIS_C) -> None:
        if not (math.isfinite(hysteresis_c) and hysteresis_c >= 0):
            raise ValueError(f"hysteresis must be a finite number ≥ 0, not {hysteresis_c}")
        self.hysteresis_c = hysteresis_c
        self.level: Level | None = None

    def update(self, wbgt_c: float) -> Level:
        """The level to show for a new WBGT value; ValueError for NaN or infinity."""
        if not math.isfinite(wbgt_c):
            raise ValueError(f"WBGT must be a finite number, not {wbgt_c}")
        raw = level_for(wbgt_c)
        current = self.level
        if current is None or raw.rank > current.rank:
            self.level = raw
        elif raw.rank < current.rank:
            bound = current.info.lower_bound_c
            assert bound is not None  # only the lowest level has no bound, and nothing is below it
            if wbgt_c < bound - self.hysteresis_c:
                self.level = level_for(wbgt_c + self.hysteresis_c)
        return self.level if self.level is not None else raw

    def reset(self) -> None:
        self.level = None
