"""Ward staff keep the places to cool down; each change reaches the scope's stations as
one signed, retained list."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from contract.content import PlaceList
from contract.signing import verify
from contract.topics import ContentKind
from devnet.mosquitto import Mosquitto
from devnet.places import NAKA_PLACES
from tests.server.helpers import now_ms
from tests.server.notice_helpers import clear_retained, retained, trusted_keys

AREA_TOPIC = "kyusui/v1/area/naka/places"


def body_of(index: int, **changes: Any) -> dict[str, Any]:
    place = NAKA_PLACES[index].model_dump(mode="json", exclude_none=True)
    return place | {"target": {"scope": "area", "id": "naka"}} | changes


@pytest.fixture
def places_api(notices_api: TestClient, broker: Mosquitto) -> Iterator[TestClient]:
    try:
        yield notices_api
    finally:
        topics = {p["topic"] for p in notices_api.get("/api/v1/places").json()}
        clear_retained(broker, sorted(topics | {AREA_TOPIC, "kyusui/v1/all/places"}))


def station_list(broker: Mosquitto, keys: Path, station: str = "st-test-01") -> PlaceList:
    [raw] = retained(broker, station, AREA_TOPIC)
    content = verify(raw, trusted_keys(keys), ContentKind.PLACES, now_ms())
    assert isinstance(content, PlaceList)
    return content


def test_added_changed_and_removed_places_reach_the_areas_stations_signed(
    places_api: TestClient, broker: Mosquitto, keys: Path
) -> None:
    for index in (0, 2):
        created = places_api.post("/api/v1/places", json=body_of(index))
        assert created.status_code == 201, created.text
    shown = created.json()
    assert shown["topic"] == AREA_TOPIC
    assert shown["updated_by"] == "bootstrap"
    first = station_list(broker, keys)
    assert first.id == "area-naka"
    assert [p.id for p in first.places] == ["naka-ward-office", "yamashita-park-engawa"]
    assert first.places[0] == NAKA_PLACES[0]
    # Another area's station is sent nothing.
    assert retained(broker, "st-test-03", "kyusui/v1/area/+/places", 0.5) == []

    closed = body_of(0, hours={"weekly": {}, "closed_dates": ["2026-08-12"], "special_alert": True})
    changed = places_api.put("/api/v1/places/naka-ward-office", json=closed | {"id": None})
    assert changed.status_code == 422  # the id is in the path, not the body
    del closed["id"]
    changed = places_api.put("/api/v1/places/naka-ward-office", json=closed)
    assert changed.status_code == 200, changed.text
    second = station_list(broker, keys)
    assert second.version > first.version
    assert second.places[0].hours.closed_dates == ["2026-08-12"]

    assert places_api.delete("/api/v1/places/yamashita-park-engawa").status_code == 204
    third = station_list(broker, keys)
    assert third.version > second.version
    assert [p.id for p in third.places] == ["naka-ward-office"]
    assert places_api.get("/api/v1/places/yamashita-park-engawa").status_code == 404


def test_moving_a_place_to_another_scope_publishes_both_lists(
    places_api: TestClient, broker: Mosquitto, keys: Path
) -> None:
    assert places_api.post("/api/v1/places", json=body_of(3)).status_code == 201
    moved = places_api.put(
        "/api/v1/places/kannai-station-water",
        json={k: v for k, v in body_of(3, target={"scope": "all"}).items() if k != "id"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["topic"] == "kyusui/v1/all/places"
    assert station_list(broker, keys).places == []  # the area's list is now empty
    [raw] = retained(broker, "st-test-03", "kyusui/v1/all/places")
    everyone = verify(raw, trusted_keys(keys), ContentKind.PLACES, now_ms())
    assert isinstance(everyone, PlaceList)
    assert [p.id for p in everyone.places] == ["kannai-station-water"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": {"ja": "中区役所", "en": "Naka Ward Office"}}, "name"),
        ({"latitude": 91}, "latitude"),
        ({"hours": {"weekly": {"mon": [{"start": "17:00", "end": "09:00"}]}}}, "hours"),
        ({"hours": {"weekly": {"monday": []}}}, "hours"),
        ({"offers": ["water", "water"]}, "offers"),
        ({"kind": "hospital"}, "kind"),
        ({"target": {"scope": "area", "id": "nowhere"}}, "target"),
    ],
)
def test_a_place_stations_could_not_use_is_refused_with_the_field_named(
    places_api: TestClient, change: dict[str, Any], field: str
) -> None:
    refused = places_api.post("/api/v1/places", json=body_of(0) | change)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in error["message"]
    assert places_api.get("/api/v1/places").json() == []


def test_readers_see_places_and_only_staff_change_them(
    places_api: TestClient, broker: Mosquitto
) -> None:
    assert places_api.post("/api/v1/places", json=body_of(0)).status_code == 201
    assert places_api.post("/api/v1/places", json=body_of(0)).status_code == 409
    token = places_api.post("/api/v1/tokens", json={"name": "map", "role": "reader"}).json()
    reader = {"Authorization": f"Bearer {token['token']}"}
    assert [p["id"] for p in places_api.get("/api/v1/places", headers=reader).json()] == [
        "naka-ward-office"
    ]
    assert places_api.delete("/api/v1/places/naka-ward-office", headers=reader).status_code == 403
    assert places_api.get("/api/v1/places?target=area:naka").json()[0]["id"] == "naka-ward-office"
    assert places_api.get("/api/v1/places?target=all").json() == []
