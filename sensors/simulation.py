"""A simulated Yokohama summer day, deterministic for a seed.

About 26 °C / 80 % RH at dawn (05:00 JST) to 35 °C / 55 % mid-afternoon (14:00 JST),
with a small per-station offset and measurement noise.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime

from contract.jst import JST

DAWN_HOUR, PEAK_HOUR = 5.0, 14.0
DAWN_TEMP_C, PEAK_TEMP_C = 26.0, 35.0
DAWN_RH, PEAK_RH = 80.0, 55.0


def _diurnal_fraction(hour: float) -> float:
    """0 at dawn, 1 at the afternoon peak, a cosine between."""
    if DAWN_HOUR <= hour < PEAK_HOUR:
        phase = (hour - DAWN_HOUR) / (PEAK_HOUR - DAWN_HOUR)
    else:
        since_peak = (hour - PEAK_HOUR) % 24
        phase = 1 - since_peak / (24 - (PEAK_HOUR - DAWN_HOUR))
    return (1 - math.cos(math.pi * phase)) / 2


@dataclass
class SummerDay:
    seed: int = 0
    temp_noise_c: float = 0.15
    rh_noise: float = 0.8
    _rng: random.Random = field(init=False, repr=False)
    _offset_c: float = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._offset_c = self._rng.uniform(-1.0, 1.0)

    def true_conditions(self, when: datetime) -> tuple[float, float]:
        local = when.astimezone(JST)
        hour = local.hour + local.minute / 60 + local.second / 3600
        f = _diurnal_fraction(hour)
        temp = DAWN_TEMP_C + (PEAK_TEMP_C - DAWN_TEMP_C) * f + self._offset_c
        rh = DAWN_RH + (PEAK_RH - DAWN_RH) * f
        return temp, rh

    def sample(self, when: datetime) -> tuple[float, float]:
        """What a sensor would measure at ``when``: truth plus noise, at DHT22 resolution."""
        temp, rh = self.true_conditions(when)
        temp += self._rng.gauss(0, self.temp_noise_c)
        rh = min(100.0, max(0.0, rh + self._rng.gauss(0, self.rh_noise)))
        return round(temp, 1), round(rh, 1)

    def chance(self, probability: float) -> bool:
        return self._rng.random() < probability
