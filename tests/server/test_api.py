"""The REST API as staff and machine clients use it, on SQLite and PostgreSQL registries."""

import csv
import io

from fastapi.testclient import TestClient

from server.ingest.handler import MessageHandler
from server.registry.db import Registry
from server.store.base import TimeSeriesStore
from tests.server.helpers import now_ms, reading, status, telemetry

TOPIC = "kyusui/v1/st/{}/telemetry"


def ingest(api: TestClient, registry: Registry, topic: str, payload: bytes) -> bool:
    store: TimeSeriesStore = api.app.state.store  # type: ignore[attr-defined]
    return MessageHandler(store, registry).handle(topic, payload, now_ms())


def test_every_endpoint_but_open_data_needs_a_token(api: TestClient) -> None:
    for path in ("/api/v1/stations", "/api/v1/alerts", "/api/v1/quarantine", "/metrics"):
        answer = api.get(path, headers={"Authorization": ""})
        assert answer.status_code == 401, path
        assert answer.json()["error"]["code"] == "unauthorized"
        assert "Bearer" in answer.json()["error"]["message"]
    wrong = api.get("/api/v1/stations", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert api.get("/api/v1/public/levels", headers={"Authorization": ""}).status_code == 200


def test_a_station_that_reports_before_enrolment_is_listed_as_pending(
    api: TestClient, registry: Registry
) -> None:
    ts = now_ms()
    assert ingest(api, registry, "kyusui/v1/st/st-new/status", status())
    assert ingest(api, registry, TOPIC.format("st-new"), telemetry(1, reading(ts, wbgt=29.0)))
    [station] = api.get("/api/v1/stations").json()
    assert station["id"] == "st-new"
    assert station["state"] == "pending"
    assert station["online"] is True
    assert station["latest"]["wbgt"] == 29.0
    assert station["latest"]["level"] == "severe_warning"
    assert station["latest"]["time"].endswith("+09:00")
    # Pending stations are not published as open data until staff enrol them.
    assert api.get("/api/v1/public/levels").json()["stations"] == []


def test_staff_enrol_edit_and_retire_a_station(api: TestClient, registry: Registry) -> None:
    body = {
        "id": "naka-01",
        "name_ja": "中区役所前",
        "name_en": "Naka Ward Office",
        "area": "naka",
        "latitude": 35.44,
        "longitude": 139.64,
        "exposure": "sun",
    }
    created = api.post("/api/v1/stations", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "中区役所前"
    assert api.post("/api/v1/stations", json=body).json()["error"]["code"] == "conflict"
    edited = api.patch("/api/v1/stations/naka-01", json={"address": "横浜市中区日本大通35"})
    assert edited.json()["address"] == "横浜市中区日本大通35"
    assert edited.json()["exposure"] == "sun"
    ingest(api, registry, TOPIC.format("naka-01"), telemetry(1, reading(now_ms(), wbgt=31.5)))
    [public] = api.get("/api/v1/public/levels", headers={"Authorization": ""}).json()["stations"]
    assert (public["id"], public["level"], public["level_name_ja"]) == ("naka-01", "danger", "危険")
    assert api.delete("/api/v1/stations/naka-01").status_code == 204
    assert api.get("/api/v1/stations").json() == []
    [retired] = api.get("/api/v1/stations", params={"include_retired": True}).json()
    assert retired["state"] == "retired"
    actions = [e["action"] for e in api.get("/api/v1/audit").json()]
    assert actions[:3] == ["station.retire", "station.edit", "station.enrol"]


def test_bad_requests_get_one_error_shape(api: TestClient) -> None:
    bad_id = api.post("/api/v1/stations", json={"id": "Bad Id", "name_ja": "x"})
    assert bad_id.status_code == 422
    assert bad_id.json()["error"]["code"] == "invalid_request"
    assert "id" in bad_id.json()["error"]["message"]
    missing = api.get("/api/v1/stations/nowhere/readings")
    assert missing.status_code == 404
    assert "nowhere" in missing.json()["error"]["message"]
    backwards = api.get(
        "/api/v1/stations/x/history",
        params={"start": "2026-07-02T00:00", "end": "2026-07-01T00:00"},
    )
    assert backwards.json()["error"]["code"] == "invalid_request"
    too_long = api.get(
        "/api/v1/stations/x/history",
        params={"every": "1m", "start": "2026-01-01T00:00", "end": "2026-03-01T00:00"},
    )
    assert too_long.status_code == 422
    assert api.get("/api/v1/stations/x/history", params={"every": "7m"}).status_code == 422


def test_history_is_aggregated_on_the_server_in_jst_days(
    api: TestClient, registry: Registry
) -> None:
    # 2026-07-31 23:50 JST and 2026-08-01 00:10 JST fall on two JST days.
    late = 1_785_509_400_000
    early = late + 20 * 60_000
    ingest(
        api,
        registry,
        TOPIC.format("st-a"),
        telemetry(
            1,
            reading(late, wbgt=20.0),
            reading(late + 60_000, wbgt=22.0),
            reading(early, wbgt=30.0),
        ),
    )
    days = api.get(
        "/api/v1/stations/st-a/history",
        params={"every": "1d", "start": "2026-07-31T00:00", "end": "2026-08-02T00:00"},
    ).json()
    assert [d["time"] for d in days] == ["2026-07-31T00:00:00+09:00", "2026-08-01T00:00:00+09:00"]
    assert days[0]["count"] == 2
    assert days[0]["wbgt"] == {"min": 20.0, "mean": 21.0, "max": 22.0}
    assert days[1]["wbgt"]["max"] == 30.0


def test_readings_export_as_csv_and_json_in_jst(api: TestClient, registry: Registry) -> None:
    ts = now_ms() - 60_000
    ingest(api, registry, TOPIC.format("st-a"), telemetry(1, reading(ts, temp_c=31.25)))
    answer = api.get("/api/v1/stations/st-a/export", params={"format": "csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 1
    assert rows[0]["temp_c"] == "31.25"
    assert rows[0]["time"].endswith("+09:00")
    as_json = api.get("/api/v1/stations/st-a/export", params={"format": "json"}).json()
    assert as_json[0]["temp_c"] == 31.25


def test_an_export_file_is_named_by_its_jst_date(api: TestClient, registry: Registry) -> None:
    ingest(api, registry, TOPIC.format("st-a"), telemetry(1, reading(now_ms() - 60_000)))
    # 23:30 UTC on 31 July is already 1 August in Japan.
    window = {"start": "2026-07-31T23:30:00+00:00", "end": "2026-08-01T01:00:00+00:00"}
    answer = api.get("/api/v1/stations/st-a/export", params={"format": "csv", **window})
    assert 'filename="kyusui-st-a-20260801.csv"' in answer.headers["content-disposition"]


def test_a_malformed_message_is_quarantined_with_its_reason(
    api: TestClient, registry: Registry
) -> None:
    assert not ingest(api, registry, TOPIC.format("st-a"), b'{"v": 1, "session": 1}')
    assert not ingest(api, registry, TOPIC.format("st-a"), b"\xff\xfe")
    hot = telemetry(2, reading(now_ms())).replace(b'"temp_c": 30.0', b'"temp_c": 95.0')
    assert not ingest(api, registry, TOPIC.format("st-a"), hot)
    listed = api.get("/api/v1/quarantine", params={"station": "st-a"}).json()
    assert [q["reason"] for q in listed] == ["schema", "encoding", "schema"]
    assert "temp_c" in listed[0]["detail"]
    assert "95.0" in listed[0]["payload_text"]
    # ... and none of it became data.
    assert api.get("/api/v1/stations/st-a/readings").status_code == 404


def test_a_command_result_that_breaks_the_contract_is_quarantined(
    api: TestClient, registry: Registry
) -> None:
    result_topic = "kyusui/v1/st/st-a/cmd/result"
    assert ingest(api, registry, result_topic, b'{"v": 1, "cmd_id": "c-1", "ok": true}')
    assert not ingest(api, registry, result_topic, b'{"v": 1, "cmd_id": "c-2"}')
    listed = api.get("/api/v1/quarantine", params={"station": "st-a"}).json()
    assert [q["reason"] for q in listed] == ["schema"]
    assert "ok" in listed[0]["detail"]


def test_machine_clients_get_tokens_with_limited_roles(api: TestClient) -> None:
    made = api.post("/api/v1/tokens", json={"name": "open-data-mirror", "role": "reader"})
    assert made.status_code == 201
    token = made.json()["token"]
    as_reader = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/stations", headers=as_reader).status_code == 200
    refused = api.post("/api/v1/stations", json={"id": "x-1", "name_ja": "x"}, headers=as_reader)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert api.get("/api/v1/tokens", headers=as_reader).status_code == 403
    assert token not in api.get("/api/v1/tokens").text  # only the digest is kept
    api.delete(f"/api/v1/tokens/{made.json()['id']}")
    assert api.get("/api/v1/stations", headers=as_reader).status_code == 401


def test_the_openapi_document_describes_the_api(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/stations",
        "/api/v1/stations/{station_id}/history",
        "/api/v1/public/levels",
        "/api/v1/alerts/{alert_id}/ack",
        "/api/v1/quarantine",
        "/api/v1/stations/{station_id}/receipts",
        "/api/v1/notices/{notice_id}/receipts",
    ):
        assert path in paths


def test_many_screens_polling_the_fleet_share_one_computation() -> None:
    from server.api.cache import FleetCache

    computed: list[int] = []

    def compute() -> bytes:
        computed.append(1)
        return b"[]"

    cache = FleetCache(ttl_s=60)
    assert [cache.get(False, compute) for _ in range(5)] == [b"[]"] * 5
    assert len(computed) == 1
    cache.get(True, compute)  # include_retired is a different view
    cache.clear()  # an edit through the API
    cache.get(False, compute)
    assert len(computed) == 3
    uncached = FleetCache(ttl_s=0)
    uncached.get(False, compute)
    uncached.get(False, compute)
    assert len(computed) == 5


def test_the_latest_health_report_is_shown_as_numbers(api: TestClient, registry: Registry) -> None:
    from tests.server.helpers import health

    assert ingest(api, registry, "kyusui/v1/st/st-a/status", status())
    assert api.get("/api/v1/stations/st-a/health").json()["error"]["code"] == "not_found"
    report = health(disk_free_mb=812.5, wifi_rssi_dbm=-61.0, clock_synced=False)
    assert ingest(api, registry, "kyusui/v1/st/st-a/health", report)
    shown = api.get("/api/v1/stations/st-a/health").json()
    assert shown["time"].endswith("+09:00")
    assert shown["fields"]["disk_free_mb"] == 812.5
    assert shown["fields"]["wifi_rssi_dbm"] == -61.0
    assert shown["fields"]["clock_synced"] == 0.0


def test_staff_name_areas_and_admins_add_staff_users(api: TestClient) -> None:
    area = {"id": "naka", "name_ja": "中区", "name_en": "Naka"}
    assert api.put("/api/v1/areas/naka", json=area).status_code == 200
    assert api.put("/api/v1/areas/naka", json=area | {"name_en": "Naka Ward"}).status_code == 200
    assert api.get("/api/v1/areas").json() == [area | {"name_en": "Naka Ward"}]
    user = {"login": "sato@ward.example", "display_name": "佐藤", "role": "staff"}
    made = api.post("/api/v1/users", json=user)
    assert made.status_code == 201
    assert made.json()["created_at"].endswith("+09:00")
    assert api.post("/api/v1/users", json=user).json()["error"]["code"] == "conflict"
    assert [u["login"] for u in api.get("/api/v1/users").json()] == ["sato@ward.example"]
