"""What the places and help screens show, as plain strings: built without Kivy.

The places screen lists the nearest places to cool down, those open now first, with the
straight-line distance, the minutes on foot and the direction from the station. It is
offered without being asked (a strip on the home screen and the danger screen, the button
lit) from 警戒 up and whenever a heat alert is in force.

The help screen (「具合の悪い人がいる」) gives plain first aid for heatstroke, the nearest
open places and the station's address to read out to 119, and says honestly that pressing
its button tells ward staff and is not a call to 119.
"""

from dataclasses import dataclass

from pydantic import ValidationError

from contract.content import AlertKind
from contract.geo import compass, walking_minutes
from contract.languages import pick
from contract.levels import Level
from contract.places import Place
from kiosk.i18n import Translator
from kiosk.logonce import warn_once
from kiosk.nearby import Nearby, nearest
from kiosk.situation import Condition, Situation
from localstate import Snapshot

OFFER_FROM = Level.WARNING  # 警戒 and above
LIST_LENGTH = 4
HELP_PLACES = 2
HERE_M = 30.0  # closer than this: "right here", no direction
ARROWS = {"n": "↑", "ne": "↗", "e": "→", "se": "↘", "s": "↓", "sw": "↙", "w": "←", "nw": "↖"}
HELP_STEPS = ("help.step_cool_place", "help.step_cool_body", "help.step_water", "help.step_119")

_parsed: dict[tuple[str, int], tuple[Place, ...]] = {}


def places_of(snapshot: Snapshot | None, now_ms: int) -> list[Place]:
    """Every valid place of every unexpired list; each list version is parsed once."""
    if snapshot is None:
        return []
    found: dict[str, Place] = {}
    for held in snapshot.place_lists:
        if held.expires_at is not None and held.expires_at <= now_ms:
            continue
        key = (held.list_id, held.version)
        if key not in _parsed:
            valid = []
            for raw in held.places:
                try:
                    valid.append(Place.model_validate(raw))
                except ValidationError as exc:
                    warn_once("a place in %s cannot be shown: %s", held.list_id, exc.errors()[0])
            _parsed[key] = tuple(valid)
        for place in _parsed[key]:
            found.setdefault(place.id, place)  # the same place in two scopes: once
    return list(found.values())


def special_alert(situation: Situation) -> bool:
    return (
        situation.alert is not None
        and situation.alert.alert == AlertKind.SPECIAL_HEATSTROKE_ALERT.value
    )


def offered(situation: Situation) -> bool:
    """Whether the screen offers places without being asked."""
    if situation.alert is not None:
        return True
    return (
        situation.condition is Condition.READING
        and situation.level is not None
        and situation.level.rank >= OFFER_FROM.rank
    )


@dataclass(frozen=True, slots=True)
class PlaceLine:
    name: str
    kind: str  # クーリングシェルター, まちの縁側 …
    where: str  # ↑ 北へ 480 m・徒歩 6 分
    state: str  # 開いています / 閉まっています
    is_open: bool
    offers: str


@dataclass(frozen=True, slots=True)
class PlacesView:
    lang: str
    title: str
    note: str
    empty: str
    close_label: str
    offer: bool
    strip: str  # the home screen's one line about the nearest open place; "" for none
    more: str  # after the water line when there are places to list: a touch opens them
    lines: tuple[PlaceLine, ...]


@dataclass(frozen=True, slots=True)
class HelpView:
    lang: str
    button_label: str
    title: str
    steps: tuple[str, ...]
    places_title: str
    places: tuple[PlaceLine, ...]
    address_label: str
    address: str
    not_119: str
    confirm_label: str
    sent: str
    close_label: str


def distance_text(metres: float, lang: str, tr: Translator) -> str:
    if metres < 1000:
        return f"{max(10, round(metres, -1)):.0f} m"
    return f"{metres / 1000:.1f} km".replace(".", tr.text(lang, "number.decimal_sep") or ".")


def line_of(found: Nearby, lang: str, tr: Translator) -> PlaceLine:
    place = found.place
    name = pick(place.name, lang)
    point = compass(found.bearing)
    where = (
        tr.text(lang, "places.here")
        if found.metres < HERE_M
        else tr.text(
            lang,
            "places.where",
            arrow=ARROWS[point],
            direction=tr.text(lang, f"places.dir.{point}"),
            distance=distance_text(found.metres, lang, tr),
            minutes=walking_minutes(found.metres),
        )
    )
    return PlaceLine(
        name=name[1] if name else place.id,
        kind=tr.text(lang, f"places.kind.{place.kind.value}"),
        where=where,
        state=tr.text(lang, "places.open" if found.open else "places.closed"),
        is_open=found.open,
        offers=tr.text(lang, "places.sep").join(
            tr.text(lang, f"places.offer.{o.value}") for o in place.offers
        ),
    )


def nearby_lines(
    snapshot: Snapshot | None, situation: Situation, lang: str, tr: Translator, now_ms: int
) -> tuple[PlaceLine, ...]:
    site = snapshot.site if snapshot else None
    if site is None or site.latitude is None or site.longitude is None:
        return ()
    found = nearest(
        places_of(snapshot, now_ms),
        site.latitude,
        site.longitude,
        now_ms,
        special_alert(situation),
        LIST_LENGTH,
        skip=snapshot.station_id if snapshot else None,
    )
    return tuple(line_of(n, lang, tr) for n in found)


def build_places(
    lines: tuple[PlaceLine, ...], situation: Situation, lang: str, tr: Translator
) -> PlacesView:
    """``lines``: ``nearby_lines`` of the moment, for both screens."""

    def t(key: str) -> str:
        return tr.text(lang, key)

    first_open = next((line for line in lines if line.is_open), None)
    strip = ""
    if offered(situation) and first_open is not None:
        strip = tr.text(
            lang,
            "places.strip",
            name=first_open.name,
            kind=first_open.kind,
            where=first_open.where,
        )
    return PlacesView(
        lang=lang,
        title=t("places.title"),
        note=t("places.note"),
        empty=t("places.empty") if not lines else "",
        close_label=t("panel.close"),
        offer=offered(situation),
        strip=strip,
        more=t("places.more") if lines else "",
        lines=lines,
    )


def build_help(
    lines: tuple[PlaceLine, ...], snapshot: Snapshot | None, lang: str, tr: Translator, sent: bool
) -> HelpView:
    def t(key: str) -> str:
        return tr.text(lang, key)

    address = snapshot.site.address if snapshot else ""
    return HelpView(
        lang=lang,
        button_label=t("help.button"),
        title=t("help.title"),
        steps=tuple(t(key) for key in HELP_STEPS),
        places_title=t("help.places_title"),
        places=tuple(line for line in lines if line.is_open)[:HELP_PLACES],
        address_label=t("help.address_label"),
        address=address or t("help.no_address"),
        not_119=t("help.not_119"),
        confirm_label=t("help.confirm"),
        sent=t("help.sent") if sent else "",
        close_label=t("panel.close"),
    )


def field(lines: tuple[PlaceLine, ...], index: int, name: str) -> str:
    """One field of the ``index``-th line, or "" when there are fewer lines (for the kv)."""
    return str(getattr(lines[index], name)) if index < len(lines) else ""


def is_open_at(lines: tuple[PlaceLine, ...], index: int) -> bool:
    return index < len(lines) and lines[index].is_open
