"""Places reach the station signed, per scope; a tampered, expired or misplaced list is
refused and the last good one kept, through network loss and restarts."""

import json
from pathlib import Path

from contract.content import PlaceList
from contract.places import places_id
from contract.topics import Scope, places_topic
from devnet.places import NAKA_PLACES
from localstate import open_local_state
from sensors.agent import Agent
from sensors.uplink.fakelink import FakeLink
from tests.agent.conftest import STATION, ContentKey, running, station_settings
from tests.agent.station import last_health, served_link
from tests.conftest import TEST_STATIONS
from tests.server.helpers import now_ms

AREA = TEST_STATIONS[STATION]


def place_list(list_id: str, version: int, count: int = 3, **extra: object) -> PlaceList:
    return PlaceList(
        id=list_id,
        version=version,
        issued_at=now_ms(),
        places=list(NAKA_PLACES[:count]),
        **extra,
    )


def tampered(raw: bytes) -> bytes:
    envelope = json.loads(raw)
    envelope["payload"]["places"][0]["latitude"] = 35.0  # sends passers-by elsewhere
    return json.dumps(envelope, ensure_ascii=False).encode()


def shown(state_dir: Path) -> dict[str, tuple[int, list[str]]]:
    state = open_local_state(state_dir, create=False).state
    try:
        lists = state.snapshot().place_lists
    finally:
        state.close()
    return {pl.list_id: (pl.version, [str(p["id"]) for p in pl.places]) for pl in lists}


def test_only_good_place_lists_are_kept_and_survive_a_restart_without_network(
    content_key: ContentKey, tmp_path: Path
) -> None:
    settings = station_settings(
        tmp_path,
        content_keys_file=content_key.pem_file,
        health_interval_s=0.1,
        latitude=35.4443,
        longitude=139.6420,
        address="横浜市中区日本大通35",
    )
    sign = content_key.signer.sign
    area_id = places_id(Scope.AREA, AREA)
    own_id = places_id(Scope.STATION, STATION)
    area_topic = places_topic(Scope.AREA, AREA)
    link = served_link()
    with running(Agent(settings, link=link)):
        link.deliver(area_topic, sign(place_list(area_id, 2)))
        link.deliver(places_topic(Scope.ALL, None), sign(place_list("all", 1, count=1)))
        assert set(shown(tmp_path)) == {area_id, "all"}
        link.deliver(area_topic, tampered(sign(place_list(area_id, 3, count=5))))
        link.deliver(area_topic, sign(place_list(area_id, 4, count=5, expires_at=now_ms() - 1000)))
        # Signed for this station, replayed on the area's topic.
        link.deliver(area_topic, sign(place_list(own_id, 5, count=5)))
        link.deliver(area_topic, sign(place_list(area_id, 1, count=5)))  # older
        expected = {"signature": 1, "expired": 1, "topic": 1, "stale": 1}
        assert link.wait_for(lambda: last_health(link).get("content_rejected") == expected), (
            last_health(link)
        )
    kept = {
        area_id: (2, [p.id for p in NAKA_PLACES[:3]]),
        "all": (1, [NAKA_PLACES[0].id]),
    }
    assert shown(tmp_path) == kept

    # The kiosk's file lost, the broker out of reach: the agent restores the lists it holds.
    (tmp_path / "station.sqlite").unlink()
    Agent(settings, link=FakeLink(online=False)).state.close()
    assert shown(tmp_path) == kept
    state = open_local_state(tmp_path, create=False).state
    site = state.snapshot().site
    state.close()
    assert (site.latitude, site.longitude, site.address) == (
        35.4443,
        139.642,
        "横浜市中区日本大通35",
    )


def test_an_empty_list_withdraws_its_scope(content_key: ContentKey, tmp_path: Path) -> None:
    settings = station_settings(tmp_path, content_keys_file=content_key.pem_file)
    topic = places_topic(Scope.STATION, STATION)
    own_id = places_id(Scope.STATION, STATION)
    link = served_link()
    with running(Agent(settings, link=link)):
        link.deliver(topic, content_key.signer.sign(place_list(own_id, 1)))
        assert own_id in shown(tmp_path)
        link.deliver(topic, content_key.signer.sign(place_list(own_id, 2, count=0)))
        assert shown(tmp_path) == {}
