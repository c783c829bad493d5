"""Distance and direction between two points on the Earth. Pure functions, no I/O.

Haversine on a sphere of the mean Earth radius: within 0.5 % of the ellipsoid over the
few kilometres between a station and the places near it.
"""

import math

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
WALKING_M_PER_MIN = 80.0  # the walking speed Japanese signs and listings assume
COMPASS: tuple[str, ...] = ("n", "ne", "e", "se", "s", "sw", "w", "nw")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The initial direction from the first point to the second, clockwise from north, in
    [0, 360)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360.0


def compass(bearing: float) -> str:
    """One of the eight compass points (``n``, ``ne`` … ``nw``) for a bearing in degrees."""
    return COMPASS[int(((bearing % 360.0) + 22.5) // 45.0) % 8]


def walking_minutes(metres: float) -> int:
    """Minutes on foot at 80 m a minute, rounded up; at least one."""
    return max(1, math.ceil(metres / WALKING_M_PER_MIN))
