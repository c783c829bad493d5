"""What the notice endpoints refuse: what a station would refuse, callers without the
role, and publishing without a key or without the broker's confirmation."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devnet.mosquitto import Mosquitto
from server.alerts.notify import NoNotifier
from server.api.app import create_app
from server.registry.db import Registry
from server.settings import ServerSettings
from server.store.sqlite import SqliteTimeSeries
from tests.server.conftest import ADMIN_TOKEN
from tests.server.notice_helpers import publishing_settings, retained

GOOD: dict[str, Any] = {"id": "shade", "title": {"ja": "日陰で休みましょう"}}


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"title": {"en": "Rest in the shade"}}, "ja"),
        ({"title": {}}, "title"),
        ({"body": {"en": "English only"}}, "ja"),
        ({"title": {"ja": "x", "EN": "y"}}, "title"),
        ({"title": {"ja": "x" * 2001}}, "title"),
        ({"starts_at": "2026-08-02T10:00:00", "ends_at": "2026-08-02T09:00:00"}, "ends_at"),
        ({"expires_at": "2020-01-01T00:00:00+09:00"}, "expires_at"),
        ({"target": {"scope": "area", "id": "Naka_1"}}, "target"),
        ({"target": {"scope": "area"}}, "target"),
        ({"target": {"scope": "all", "id": "naka"}}, "target"),
        ({"target": {"scope": "area", "id": "minato"}}, "minato"),
        ({"target": {"scope": "station", "id": "st-nobody"}}, "st-nobody"),
        ({"id": "Shade!"}, "id"),
        ({"priority": "shouting"}, "priority"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_notice_a_station_would_refuse_is_refused(
    notices_api: TestClient, change: dict[str, Any], says: str
) -> None:
    answer = notices_api.post("/api/v1/notices", json=GOOD | change)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_request"
    assert says in error["message"]
    assert notices_api.get("/api/v1/notices").json() == []


def test_text_that_cannot_be_signed_is_refused(notices_api: TestClient) -> None:
    lone_surrogate = b'{"id": "shade", "title": {"ja": "\\ud800"}}'
    answer = notices_api.post(
        "/api/v1/notices", content=lone_surrogate, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_request"
    assert notices_api.get("/api/v1/notices").json() == []


def test_an_update_is_checked_like_a_new_notice(notices_api: TestClient) -> None:
    assert notices_api.post("/api/v1/notices", json=GOOD).status_code == 201
    before = notices_api.get("/api/v1/notices/shade").json()
    bad = notices_api.put("/api/v1/notices/shade", json={"title": {"en": "No Japanese"}})
    assert bad.status_code == 422
    assert notices_api.get("/api/v1/notices/shade").json() == before


def test_readers_read_notices_and_only_staff_write_them(notices_api: TestClient) -> None:
    assert notices_api.post("/api/v1/notices", json=GOOD).status_code == 201
    headers = {}
    for role in ("reader", "staff"):
        made = notices_api.post("/api/v1/tokens", json={"name": f"{role}-1", "role": role})
        headers[role] = {"Authorization": f"Bearer {made.json()['token']}"}
    reader = headers["reader"]
    assert notices_api.get("/api/v1/notices", headers=reader).status_code == 200
    assert notices_api.get("/api/v1/notices/shade", headers=reader).status_code == 200
    for refused in (
        notices_api.post("/api/v1/notices", json=GOOD | {"id": "other"}, headers=reader),
        notices_api.put("/api/v1/notices/shade", json={"title": {"ja": "x"}}, headers=reader),
        notices_api.post("/api/v1/notices/shade/withdraw", headers=reader),
    ):
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
    anonymous = notices_api.get("/api/v1/notices", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    by_staff = notices_api.put(
        "/api/v1/notices/shade", json={"title": {"ja": "日陰へ"}}, headers=headers["staff"]
    )
    assert by_staff.status_code == 200
    assert by_staff.json()["updated_by"] == "token:staff-1"
    assert by_staff.json()["created_by"] == "bootstrap"


def test_without_a_signing_key_nothing_is_stored_and_the_error_says_what_to_set(
    api: TestClient,
) -> None:
    answer = api.post("/api/v1/notices", json=GOOD)
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "signing_key_missing"
    assert "KYUSUI_SERVER_SIGNING_KEY_FILE" in error["message"]
    assert "署名鍵" in error["message"]
    assert api.post("/api/v1/notices/shade/withdraw").json()["error"]["code"] == (
        "signing_key_missing"
    )
    assert api.get("/api/v1/notices").json() == []


def test_a_publication_the_broker_refuses_is_an_error_and_nothing_is_stored(
    broker: Mosquitto, api_settings: ServerSettings, sqlite_registry: Registry, tmp_path: Path
) -> None:
    # A station's account may not publish content: the broker answers PUBACK 135.
    settings = publishing_settings(api_settings, broker, tmp_path / "keys", user="st-test-01")
    store = SqliteTimeSeries(settings.timeseries_path)
    app = create_app(settings, store, sqlite_registry, NoNotifier())
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as api:
        answer = api.post("/api/v1/notices", json=GOOD)
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "publish_failed"
        assert api.get("/api/v1/notices").json() == []
        assert [e for e in api.get("/api/v1/audit").json() if e["action"] == "notice.create"] == []
    store.close()
    assert retained(broker, "st-test-01", "kyusui/v1/all/notices/+", 0.5, "shade") == []


def test_an_unreachable_broker_is_an_error_too(
    api_settings: ServerSettings, sqlite_registry: Registry, broker: Mosquitto, tmp_path: Path
) -> None:
    settings = publishing_settings(api_settings, broker, tmp_path / "keys")
    settings = settings.model_copy(update={"broker_port": 1})
    store = SqliteTimeSeries(settings.timeseries_path)
    app = create_app(settings, store, sqlite_registry, NoNotifier())
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as api:
        answer = api.post("/api/v1/notices", json=GOOD)
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "publish_failed"
        assert api.get("/api/v1/notices").json() == []
    store.close()
