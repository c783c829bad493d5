"""Places to cool down near a station: what staff list, what a station is sent.

Water stations (our own and others the ward lists), designated cooling shelters
(指定暑熱避難施設, クーリングシェルター) and まちの縁側 benches. Each has a name per kiosk
language, a position, what it offers and its opening hours in JST: windows per weekday,
dates closed, and for shelters "open while a 熱中症特別警戒アラート is in force".

A station is sent one signed list per scope (``PlaceList`` in contract.content) on
``…/{all │ area/{area} │ st/{id}}/places``; the list's ``id`` names its scope
(``places_id``), so a list signed for one scope cannot be replayed on another's topic.
"""

from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contract.messages import ID_PATTERN
from contract.topics import Scope, check_id

# "24:00" may end a window: the place is open to midnight.
WindowTime = Annotated[str, Field(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
IsoDate = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
PlaceName = Annotated[
    dict[
        Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,8})?$")],
        Annotated[str, Field(min_length=1, max_length=200)],
    ],
    Field(min_length=1),
]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_PLACES = 200


class PlaceKind(StrEnum):
    STATION = "station"  # one of our own まちの給水所
    WATER = "water"  # another water station the ward lists
    COOLING_SHELTER = "cooling_shelter"  # 指定暑熱避難施設
    BENCH = "bench"  # まちの縁側


class Offer(StrEnum):
    WATER = "water"
    AIR_CONDITIONING = "air_conditioning"
    SEATS = "seats"
    TOILET = "toilet"
    BARRIER_FREE = "barrier_free"


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Window(_Model):
    """Open from ``start`` to before ``end`` (JST) on one day; ``end`` after ``start``. A
    place open past midnight has a window to 24:00 and one from 00:00 the next day."""

    start: WindowTime
    end: WindowTime

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if minutes(self.end) <= minutes(self.start):
            raise ValueError(f"a window must end after it starts ({self.start}–{self.end})")
        return self


class Hours(_Model):
    """When a place is open. ``always``: day and night (a bench). Otherwise the windows of
    each weekday (``mon`` … ``sun``; a day left out is closed). ``closed_dates`` (JST) close
    it all day. ``special_alert`` opens it while a 熱中症特別警戒アラート is in force, whatever
    the hours say (a cooling shelter's duty)."""

    always: bool = False
    weekly: dict[str, Annotated[list[Window], Field(max_length=6)]] = {}
    closed_dates: Annotated[list[IsoDate], Field(max_length=366)] = []
    special_alert: bool = False

    @model_validator(mode="after")
    def _known_days(self) -> Self:
        unknown = sorted(set(self.weekly) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown weekday {unknown[0]!r}: use {', '.join(WEEKDAYS)}")
        return self


class Place(_Model):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    kind: PlaceKind
    name: PlaceName  # {lang: name}, always with "ja"
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    address: Annotated[str, Field(max_length=200)] | None = None
    hours: Hours = Hours()
    offers: Annotated[list[Offer], Field(max_length=len(Offer))] = []

    @model_validator(mode="after")
    def _japanese_name(self) -> Self:
        if "ja" not in self.name:
            raise ValueError("a place needs a Japanese name ('ja')")
        if len(set(self.offers)) != len(self.offers):
            raise ValueError("an offer is listed twice")
        return self


def places_id(scope: Scope, name: str | None) -> str:
    """The id of the list sent to a scope: ``all``, ``area-{area}`` or ``st-{station}``."""
    if scope is Scope.ALL:
        return "all"
    if name is None:
        raise ValueError(f"scope {scope.value} needs a name")
    check_id(name, "area" if scope is Scope.AREA else "station id")
    # Ids are at most 64 characters: a very long name is cut (a station only ever
    # receives its own list and its area's, so the cut cannot make two of them collide).
    return f"{'area' if scope is Scope.AREA else 'st'}-{name}"[:64].rstrip("-")


__all__ = [
    "MAX_PLACES",
    "WEEKDAYS",
    "Hours",
    "Offer",
    "Place",
    "PlaceKind",
    "Window",
    "minutes",
    "places_id",
]
