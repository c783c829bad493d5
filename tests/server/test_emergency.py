"""Staff switch an area, or every station, into disaster mode; it is signed and retained for
the stations in scope only, a withdrawal is a newer signed version, and staff see which
stations in scope have not yet confirmed showing it."""

from fastapi.testclient import TestClient

from contract.content import Emergency, emergency_id
from contract.signing import verify
from contract.topics import ContentKind, emergency_topic
from devnet.mosquitto import Mosquitto
from server.ingest.handler import MessageHandler
from server.registry.db import Registry
from tests.kiosk.disaster_text import MESSAGE, SHELTERS
from tests.server.helpers import now_ms, receipt, receipts
from tests.server.notice_helpers import clear_retained, retained, trusted_keys

BODY = {"area": "naka", "message": MESSAGE, "shelters": SHELTERS}


def enrol(api: TestClient) -> None:
    for sid, area in (("st-test-01", "naka"), ("st-test-02", "naka"), ("st-test-03", "kohoku")):
        answer = api.post("/api/v1/stations", json={"id": sid, "name_ja": sid, "area": area})
        assert answer.status_code in (201, 409), answer.text


def test_an_area_in_disaster_mode_reaches_its_stations_and_staff_see_who_confirmed(
    notices_api: TestClient, broker: Mosquitto, registry: Registry, keys: object
) -> None:
    api = notices_api
    enrol(api)
    try:
        answer = api.put("/api/v1/emergency", json=BODY)
        assert answer.status_code == 200, answer.text
        out = answer.json()
        assert out["id"] == emergency_id("naka")
        assert out["topic"] == emergency_topic("naka")
        assert [s["station_id"] for s in out["stations"]] == ["st-test-01", "st-test-02"]
        assert out["unconfirmed"] == 2

        [raw] = retained(broker, "st-test-01", "kyusui/v1/area/naka/emergency")
        content = verify(raw, trusted_keys(keys), ContentKind.EMERGENCY, now_ms())  # type: ignore[arg-type]
        assert isinstance(content, Emergency)
        assert content.version == out["version"]
        assert content.message == MESSAGE
        assert [s.name["vi"] for s in content.shelters] == [s["name"]["vi"] for s in SHELTERS]
        # Another area's station may not even read it (the broker's ACL).
        assert retained(broker, "st-test-03", "kyusui/v1/area/naka/emergency") == []

        # One station's screen showed it: the other is the one staff must look after.
        shown = receipts(1, receipt(out["id"], now_ms(), version=out["version"]))
        handler = MessageHandler(api.app.state.store, registry)  # type: ignore[attr-defined]
        assert handler.handle("kyusui/v1/st/st-test-02/receipts", shown, now_ms())
        [listed] = api.get("/api/v1/emergency").json()
        assert listed["unconfirmed"] == 1
        first, second = listed["stations"]
        assert (first["station_id"], first["confirmed"]) == ("st-test-01", False)
        assert (second["station_id"], second["confirmed"]) == ("st-test-02", True)
        assert second["first_shown_at"].endswith("+09:00")

        withdrawn = api.post("/api/v1/emergency/withdraw", json={"area": "naka"})
        assert withdrawn.status_code == 200, withdrawn.text
        assert withdrawn.json()["version"] > out["version"]
        [raw] = retained(broker, "st-test-01", "kyusui/v1/area/naka/emergency")
        ended = verify(raw, trusted_keys(keys), ContentKind.EMERGENCY, now_ms())  # type: ignore[arg-type]
        assert isinstance(ended, Emergency)
        assert ended.withdrawn
        assert api.get("/api/v1/emergency").json() == []
        again = api.post("/api/v1/emergency/withdraw", json={"area": "naka"})
        assert again.status_code == 404
        assert again.json()["error"]["code"] == "not_found"
    finally:
        clear_retained(broker, [emergency_topic("naka")])


def test_a_message_or_a_shelter_missing_a_language_is_refused(notices_api: TestClient) -> None:
    no_vietnamese = {k: v for k, v in MESSAGE.items() if k != "vi"}
    answer = notices_api.put("/api/v1/emergency", json={"message": no_vietnamese})
    assert answer.status_code == 422
    assert "vi" in answer.json()["error"]["message"]
    shelter = {"name": {"ja": "本町小学校", "en": "Honcho Elementary School"}}
    answer = notices_api.put("/api/v1/emergency", json={"message": MESSAGE, "shelters": [shelter]})
    assert answer.status_code == 422
    assert "ja-easy" in answer.json()["error"]["message"]
    unknown = notices_api.put("/api/v1/emergency", json={**BODY, "area": "nowhere"})
    assert unknown.status_code == 404


def test_a_reader_may_look_but_not_switch_disaster_mode_on(notices_api: TestClient) -> None:
    token = notices_api.post("/api/v1/tokens", json={"name": "dash", "role": "reader"})
    assert token.status_code == 201, token.text
    reader = {"Authorization": f"Bearer {token.json()['token']}"}
    assert notices_api.get("/api/v1/emergency", headers=reader).status_code == 200
    refused = notices_api.put("/api/v1/emergency", json=BODY, headers=reader)
    assert refused.status_code == 403
