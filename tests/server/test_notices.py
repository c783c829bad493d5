"""Ward staff write, update and withdraw notices; stations receive them signed and retained."""

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from contract.content import Notice
from contract.signing import verify
from contract.topics import ContentKind
from devnet.mosquitto import Mosquitto
from tests.server.helpers import now_ms
from tests.server.notice_helpers import retained, trusted_keys

AREA_NOTICES = "kyusui/v1/area/naka/notices/+"
WATER_MAP: dict[str, Any] = {
    "id": "water-map",
    "title": {"ja": "給水所が増えました", "en": "More water stations"},
    "body": {"ja": "港の見える丘公園に新しい給水所があります。"},
    "priority": "high",
    "target": {"scope": "area", "id": "naka"},
    "starts_at": "2026-08-01T09:00:00",
    "ends_at": "2026-08-31T18:00:00+09:00",
}


def received_notice(raw: bytes, keys: Path, notice_id: str) -> Notice:
    content = verify(raw, trusted_keys(keys), ContentKind.NOTICE, now_ms(), notice_id)
    assert isinstance(content, Notice)
    return content


def test_a_notice_reaches_its_area_signed_and_retained_and_a_withdrawal_replaces_it(
    notices_api: TestClient, broker: Mosquitto, keys: Path
) -> None:
    created = notices_api.post("/api/v1/notices", json=WATER_MAP)
    assert created.status_code == 201, created.text
    notice = created.json()
    assert notice["topic"] == "kyusui/v1/area/naka/notices/water-map"
    assert notice["target"] == {"scope": "area", "id": "naka"}
    assert notice["starts_at"] == "2026-08-01T09:00:00+09:00"  # no offset: JST
    assert notice["created_by"] == "bootstrap"
    assert not notice["withdrawn"]

    # A station of the area connecting afterwards is sent it; another area's is not.
    [raw] = retained(broker, "st-test-01", AREA_NOTICES, notice_id="water-map")
    shown = received_notice(raw, keys, "water-map")
    assert shown.title == WATER_MAP["title"]
    assert shown.body == WATER_MAP["body"]
    assert shown.version == notice["version"]
    assert shown.priority.value == "high"
    assert shown.starts_at == notice_ms("2026-08-01T00:00:00Z")
    assert retained(broker, "st-test-03", "kyusui/v1/+/+/notices/+", 0.5, "water-map") == []

    changed = notices_api.put(
        "/api/v1/notices/water-map",
        json={"title": {"ja": "給水所が 2 か所増えました"}, "priority": "urgent"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] > notice["version"]
    [raw] = retained(broker, "st-test-02", AREA_NOTICES, notice_id="water-map")
    updated = received_notice(raw, keys, "water-map")
    assert updated.version == changed.json()["version"]
    assert updated.title == {"ja": "給水所が 2 か所増えました"}
    assert updated.body is None

    withdrawn = notices_api.post("/api/v1/notices/water-map/withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["withdrawn"]
    assert withdrawn.json()["withdrawn_by"] == "bootstrap"
    [raw] = retained(
        broker, "st-test-01", AREA_NOTICES, notice_id="water-map"
    )  # replaced, not added
    gone = received_notice(raw, keys, "water-map")
    assert gone.withdrawn
    assert gone.version > updated.version
    assert gone.title is None

    listed = notices_api.get("/api/v1/notices").json()
    assert [(n["id"], n["version"], n["withdrawn"]) for n in listed] == [
        ("water-map", gone.version, True)
    ]
    assert notices_api.get("/api/v1/notices", params={"withdrawn": "false"}).json() == []
    one = notices_api.get("/api/v1/notices/water-map").json()
    assert one["title"] == {"ja": "給水所が 2 か所増えました"}  # what staff last wrote
    audit = notices_api.get("/api/v1/audit").json()
    actions = [(e["action"], e["target"]) for e in audit if e["action"].startswith("notice.")]
    assert sorted(actions) == [
        ("notice.create", "water-map"),
        ("notice.update", "water-map"),
        ("notice.withdraw", "water-map"),
    ]


def notice_ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso).timestamp() * 1000)


def test_notices_for_everyone_and_for_one_station_use_their_topics(
    notices_api: TestClient, broker: Mosquitto, keys: Path
) -> None:
    everyone = notices_api.post(
        "/api/v1/notices", json={"title": {"ja": "水分をこまめにとりましょう"}}
    )
    assert everyone.status_code == 201, everyone.text
    made_up = everyone.json()["id"]
    assert everyone.json()["topic"] == f"kyusui/v1/all/notices/{made_up}"
    [raw] = retained(broker, "st-test-03", "kyusui/v1/all/notices/+", notice_id=made_up)
    assert received_notice(raw, keys, made_up).priority.value == "normal"

    notices_api.post("/api/v1/stations", json={"id": "st-test-03", "name_ja": "港北 1"})
    one = {
        "id": "fountain",
        "title": {"ja": "噴水は点検中"},
        "target": {"scope": "station", "id": "st-test-03"},
    }
    answer = notices_api.post("/api/v1/notices", json=one)
    assert answer.status_code == 201, answer.text
    assert answer.json()["topic"] == "kyusui/v1/st/st-test-03/notices/fountain"
    [raw] = retained(
        broker, "st-test-03", "kyusui/v1/st/st-test-03/notices/+", notice_id="fountain"
    )
    assert received_notice(raw, keys, "fountain").title == {"ja": "噴水は点検中"}

    moved = notices_api.put(
        "/api/v1/notices/fountain", json={"title": {"ja": "x"}, "target": {"scope": "all"}}
    )
    assert moved.status_code == 409
    assert moved.json()["error"]["code"] == "conflict"
    again = notices_api.post("/api/v1/notices", json=one)
    assert again.status_code == 409
    assert notices_api.post("/api/v1/notices/fountain/withdraw").status_code == 200
    assert notices_api.post("/api/v1/notices/fountain/withdraw").status_code == 409
    edit = notices_api.put("/api/v1/notices/fountain", json={"title": {"ja": "再開"}})
    assert edit.status_code == 409
    for missing in (
        notices_api.get("/api/v1/notices/nothing"),
        notices_api.put("/api/v1/notices/nothing", json={"title": {"ja": "x"}}),
        notices_api.post("/api/v1/notices/nothing/withdraw"),
    ):
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
