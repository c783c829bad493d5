"""What the places screen is built from, without a window: only unexpired lists, valid
places, each place once, and offered from 警戒 up or under a heat alert."""

from contract.levels import Level
from devnet.places import NAKA_PLACES, STATION_SITES
from kiosk.i18n import Translator
from kiosk.places_view import build_places, nearby_lines, offered, places_of
from kiosk.situation import Condition, Situation
from localstate import AlertView, PlaceListView, Site, Snapshot

NOW = 1_786_420_800_000  # 2026-08-11 12:00 JST, a Tuesday
TR = Translator()
RAW = [p.model_dump(mode="json", exclude_none=True) for p in NAKA_PLACES]


def snapshot(*lists: PlaceListView) -> Snapshot:
    lat, lon, address = STATION_SITES["yokohama-naka-01"]
    return Snapshot(
        station_id="yokohama-naka-01", site=Site(lat, lon, address), place_lists=list(lists)
    )


def test_an_expired_list_is_not_shown_and_a_bad_place_is_left_out() -> None:
    broken = dict(RAW[0]) | {"latitude": "north"}
    lists = (
        PlaceListView("all", 1, [broken, RAW[1]], None),
        PlaceListView("area-naka", 2, RAW[2:], NOW - 1),  # expired a moment ago
    )
    assert [p.id for p in places_of(snapshot(*lists), NOW)] == ["central-library"]


def test_a_place_in_two_scopes_is_listed_once() -> None:
    lists = (PlaceListView("all", 1, RAW[:2], None), PlaceListView("area-naka", 1, RAW, None))
    ids = [p.id for p in places_of(snapshot(*lists), NOW)]
    assert sorted(ids) == sorted(p.id for p in NAKA_PLACES)


def test_places_are_offered_from_warning_up_and_under_any_heat_alert() -> None:
    def at(level: Level) -> Situation:
        return Situation(Condition.READING, level=level, wbgt=25.0)

    assert not offered(at(Level.CAUTION))
    assert offered(at(Level.WARNING))
    assert offered(at(Level.DANGER))
    alert = AlertView("heatstroke_alert", 1, 33.0, None, {}, None)
    assert offered(Situation(Condition.STALE, alert=alert))
    assert not offered(Situation(Condition.STALE, level=Level.DANGER))  # not a fresh reading


def test_without_a_position_the_screen_lists_nothing_and_says_so() -> None:
    lists = [PlaceListView("all", 1, RAW, None)]
    situation = Situation(Condition.READING, level=Level.WARNING, wbgt=26.0)
    lines = nearby_lines(Snapshot(place_lists=lists), situation, "ja", TR, NOW)
    view = build_places(lines, situation, "ja", TR)
    assert view.lines == ()
    assert view.strip == ""
    assert view.empty == "近くの場所の情報はまだありません。"
