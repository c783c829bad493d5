"""Which places near the station are open now, and how far and which way. Pure functions.

Opening hours are read in JST (kiosk.display.JST): a place is open when a special heat
alert is in force and it opens for one (a cooling shelter), else never on a date closed,
else when it is ``always`` open or the time falls in one of the day's windows.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from contract.geo import bearing_deg, distance_m
from contract.jst import JST
from contract.places import WEEKDAYS, Hours, Place, minutes


def is_open(hours: Hours, now_ms: int, special_alert: bool = False) -> bool:
    """Whether a place with these hours is open at ``now_ms`` (UTC epoch ms)."""
    if special_alert and hours.special_alert:
        return True
    local = datetime.fromtimestamp(now_ms / 1000, JST)
    if local.date().isoformat() in hours.closed_dates:
        return False
    if hours.always:
        return True
    now = local.hour * 60 + local.minute
    windows = hours.weekly.get(WEEKDAYS[local.weekday()], [])
    return any(minutes(w.start) <= now < minutes(w.end) for w in windows)


@dataclass(frozen=True, slots=True)
class Nearby:
    place: Place
    metres: float
    bearing: float  # degrees clockwise from north, from the station
    open: bool


def nearest(
    places: Iterable[Place],
    latitude: float,
    longitude: float,
    now_ms: int,
    special_alert: bool = False,
    limit: int = 3,
    skip: str | None = None,
) -> list[Nearby]:
    """The ``limit`` nearest places, those open now first; ``skip`` leaves out one place
    id (the station itself, when it is on the list)."""
    found = [
        Nearby(
            p,
            distance_m(latitude, longitude, p.latitude, p.longitude),
            bearing_deg(latitude, longitude, p.latitude, p.longitude),
            is_open(p.hours, now_ms, special_alert),
        )
        for p in places
        if p.id != skip
    ]
    found.sort(key=lambda n: (not n.open, n.metres, n.place.id))
    return found[:limit]
