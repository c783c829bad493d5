"""A station's own estimate against the official observed WBGT of the nearest official point.
Pure logic.

A sensor in the sun, beside a vending machine's exhaust, or failing, reads consistently high or
low: the mean difference over the hours both have is beyond the threshold, and nearly every hour
lies on the same side. A single hot afternoon is not enough.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Below this many hours in common there is no judgement.
MIN_HOURS = 12
# Share of hours that must lie on the side of the mean difference.
SAME_SIDE = 0.8


class OfficialPoint(BaseModel):
    """One of the Ministry's points (numbered like AMeDAS stations), as the settings list them."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    number: Annotated[str, Field(pattern=r"^\d{5}$")]  # e.g. 横浜 46106
    name_ja: str
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]


YOKOHAMA = OfficialPoint(number="46106", name_ja="横浜", latitude=35.4383, longitude=139.6517)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def nearest_point(
    points: Sequence[OfficialPoint], latitude: float | None, longitude: float | None
) -> OfficialPoint:
    """The nearest of ``points``; the first (the ward's own) for a station without a position."""
    if latitude is None or longitude is None:
        return points[0]
    return min(points, key=lambda p: distance_km(latitude, longitude, p.latitude, p.longitude))


@dataclass(frozen=True)
class Comparison:
    point: str
    hours: int  # hours with both an estimate and an official value
    mean_difference_c: float | None  # station − official, °C
    same_side_share: float | None

    def biased(self, threshold_c: float) -> bool:
        return (
            self.hours >= MIN_HOURS
            and self.mean_difference_c is not None
            and abs(self.mean_difference_c) >= threshold_c
            and self.same_side_share is not None
            and self.same_side_share >= SAME_SIDE
        )


def compare(
    point: str, station_hourly: Mapping[datetime, float], official_hourly: Mapping[datetime, float]
) -> Comparison:
    """Both series are hourly means keyed by the hour's end in JST, as the official file is."""
    differences = [
        station_hourly[at] - official_hourly[at] for at in station_hourly if at in official_hourly
    ]
    if not differences:
        return Comparison(point, 0, None, None)
    mean = sum(differences) / len(differences)
    same_side = sum(1 for d in differences if (d > 0) == (mean > 0) and d != 0)
    return Comparison(point, len(differences), round(mean, 2), same_side / len(differences))
