"""Places near a station: how far and which way, and whether each is open now in JST."""

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from contract.geo import bearing_deg, compass, distance_m, walking_minutes
from contract.jst import JST
from contract.places import Hours, Place, PlaceKind, Window
from devnet.places import NAKA_PLACES
from kiosk.nearby import is_open, nearest

# Real points in Yokohama, and their distances on the GRS80 ellipsoid (Vincenty).
YOKOHAMA_STATION = (35.4660, 139.6223)
KANNAI_STATION = (35.4437, 139.6368)
SAKURAGICHO_STATION = (35.4511, 139.6310)
YAMASHITA_PARK = (35.4462, 139.6500)
NAKA_WARD_OFFICE = (35.4443, 139.6420)
CENTRAL_LIBRARY = (35.4463, 139.6262)
GEODESIC_M = [
    (YOKOHAMA_STATION, KANNAI_STATION, 2802.5),
    (SAKURAGICHO_STATION, KANNAI_STATION, 975.4),
    (KANNAI_STATION, YAMASHITA_PARK, 1230.1),
    (SAKURAGICHO_STATION, CENTRAL_LIBRARY, 688.1),
    (KANNAI_STATION, NAKA_WARD_OFFICE, 476.8),
]

latitudes = st.floats(-80, 80)
longitudes = st.floats(-179, 179)


def jst_ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=JST).timestamp() * 1000)


@pytest.mark.parametrize(("a", "b", "metres"), GEODESIC_M)
def test_distances_between_real_yokohama_points_match_the_ellipsoid_within_half_a_percent(
    a: tuple[float, float], b: tuple[float, float], metres: float
) -> None:
    assert distance_m(*a, *b) == pytest.approx(metres, rel=0.005)


def test_directions_between_real_yokohama_points() -> None:
    # Yamashita Park lies east of Kannai; Yokohama Station north-west of it.
    assert compass(bearing_deg(*KANNAI_STATION, *YAMASHITA_PARK)) == "e"
    assert compass(bearing_deg(*KANNAI_STATION, *YOKOHAMA_STATION)) == "nw"
    assert compass(bearing_deg(*YOKOHAMA_STATION, *KANNAI_STATION)) == "se"


@given(latitudes, longitudes, latitudes, longitudes)
def test_distance_is_symmetric_and_never_negative(
    la1: float, lo1: float, la2: float, lo2: float
) -> None:
    d = distance_m(la1, lo1, la2, lo2)
    assert d >= 0
    assert d == pytest.approx(distance_m(la2, lo2, la1, lo1), abs=1e-6)


@given(latitudes, longitudes)
def test_a_point_is_no_distance_from_itself(lat: float, lon: float) -> None:
    assert distance_m(lat, lon, lat, lon) == pytest.approx(0, abs=1e-6)


@given(latitudes, longitudes, st.floats(0.0005, 0.05))
def test_a_point_due_north_is_north_and_a_degree_of_latitude_is_111_km(
    lat: float, lon: float, step: float
) -> None:
    assert compass(bearing_deg(lat, lon, lat + step, lon)) == "n"
    assert distance_m(lat, lon, lat + step, lon) == pytest.approx(111_195 * step, rel=1e-3)


@given(st.floats(-720, 720))
def test_every_bearing_has_one_of_eight_compass_points(bearing: float) -> None:
    assert compass(bearing) in {"n", "ne", "e", "se", "s", "sw", "w", "nw"}


@given(st.floats(0, 50_000))
def test_walking_takes_at_least_a_minute_and_80_m_a_minute(metres: float) -> None:
    minutes = walking_minutes(metres)
    assert minutes >= 1
    assert (minutes - 1) * 80 <= metres <= max(minutes * 80, 80)


OFFICE = Hours(
    weekly={d: [Window(start="08:45", end="17:15")] for d in ("mon", "tue", "wed", "thu", "fri")},
    closed_dates=["2026-08-12"],
)
SHELTER = OFFICE.model_copy(update={"special_alert": True})


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2026-08-11T08:44", False),  # a Tuesday, before it opens
        ("2026-08-11T08:45", True),
        ("2026-08-11T17:14", True),
        ("2026-08-11T17:15", False),
        ("2026-08-12T12:00", False),  # the date closed
        ("2026-08-15T12:00", False),  # a Saturday
    ],
)
def test_open_now_follows_the_weekly_hours_and_the_dates_closed_in_jst(
    when: str, expected: bool
) -> None:
    assert is_open(OFFICE, jst_ms(when)) is expected


def test_the_jst_clock_decides_not_utc() -> None:
    # 2026-08-11 00:30 UTC is 09:30 on a Tuesday in Tokyo: open, though it is night in UTC.
    utc_night = int(datetime.fromisoformat("2026-08-11T00:30+00:00").timestamp() * 1000)
    assert is_open(OFFICE, utc_night)


def test_a_cooling_shelter_opens_under_a_special_heat_alert_even_on_a_closed_date() -> None:
    sunday_night, closed_day = jst_ms("2026-08-16T21:00"), jst_ms("2026-08-12T12:00")
    assert not is_open(SHELTER, sunday_night)
    assert is_open(SHELTER, sunday_night, special_alert=True)
    assert is_open(SHELTER, closed_day, special_alert=True)
    assert not is_open(OFFICE, sunday_night, special_alert=True)  # not a shelter


def test_a_bench_is_always_open_except_on_a_date_closed() -> None:
    bench = Hours(always=True, closed_dates=["2026-08-12"])
    assert is_open(bench, jst_ms("2026-08-16T03:00"))
    assert not is_open(bench, jst_ms("2026-08-12T03:00"))


@given(st.integers(0, 4_102_444_800_000))
def test_a_place_with_no_hours_is_never_open_without_an_alert(now_ms: int) -> None:
    assert not is_open(Hours(), now_ms)
    assert is_open(Hours(special_alert=True), now_ms, special_alert=True)


def test_the_nearest_open_places_come_first() -> None:
    tuesday_noon = jst_ms("2026-08-11T12:00")
    found = nearest(NAKA_PLACES, *NAKA_WARD_OFFICE, tuesday_noon, limit=5)
    assert [(n.place.id, round(n.metres, -1)) for n in found] == [
        ("naka-ward-office", 0),
        ("kannai-station-water", 480),
        ("yamashita-park-engawa", 650),
        ("yokohama-naka-02", 750),
        ("central-library", 1450),
    ]
    assert all(n.open for n in found)
    assert found[1].metres == pytest.approx(476.8, rel=0.005)  # the geodesic above
    assert compass(found[1].bearing) == "w"  # Kannai lies west of the ward office


def test_closed_places_come_after_open_ones_and_a_station_skips_itself() -> None:
    sunday_night = jst_ms("2026-08-16T23:30")
    found = nearest(NAKA_PLACES, *YAMASHITA_PARK, sunday_night, limit=5, skip="yokohama-naka-02")
    assert "yokohama-naka-02" not in [n.place.id for n in found]
    assert [n.open for n in found] == sorted((n.open for n in found), reverse=True)
    assert found[0].place.id == "yamashita-park-engawa"  # a bench, open all night
    assert not found[-1].open


def test_a_place_needs_a_japanese_name_and_ordered_hours() -> None:
    with pytest.raises(ValidationError, match="Japanese"):
        Place(id="x", kind=PlaceKind.BENCH, name={"en": "Bench"}, latitude=35, longitude=139)
    with pytest.raises(ValidationError, match="end after"):
        Window(start="17:00", end="09:00")
    with pytest.raises(ValidationError, match="weekday"):
        Hours(weekly={"monday": []})
