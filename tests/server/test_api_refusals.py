"""Whatever a client sends, the API answers a 4xx in the one error shape, never a 500; and its
OpenAPI document says which errors each endpoint can answer."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.server.conftest import fresh_postgres_database

BIG = 2**66  # beyond any database integer


@pytest.fixture
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite, unless a test asks for PostgreSQL too (its text cannot hold NUL)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_server_url"))


def refused(answer: Any, status: int = 422, code: str = "invalid_request") -> str:
    """The error's message, once its status and shape are checked."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    message: str = body["error"]["message"]
    return message


@pytest.fixture
def enrolled(api: TestClient) -> str:
    answer = api.post("/api/v1/stations", json={"id": "naka-01", "name_ja": "中区役所"})
    assert answer.status_code == 201, answer.text
    return "naka-01"


@pytest.mark.parametrize("field", ["exposure", "name_ja"])
def test_a_station_edit_cannot_clear_what_every_station_has(
    api: TestClient, enrolled: str, field: str
) -> None:
    assert field in refused(api.patch(f"/api/v1/stations/{enrolled}", json={field: None}))
    station = api.get(f"/api/v1/stations/{enrolled}").json()
    assert (station["exposure"], station["name_ja"]) == ("shade", "中区役所")


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("POST", f"/api/v1/alerts/{BIG}/ack", {}),
        ("DELETE", f"/api/v1/tokens/{BIG}", {}),
        ("GET", "/api/v1/quarantine", {"before_id": BIG}),
        ("GET", "/api/v1/notices/water-map/receipts", {"version": BIG}),
        ("GET", "/api/v1/alerts/0/ack", {}),
        ("POST", "/api/v1/alerts/-1/ack", {}),
    ],
)
def test_integers_out_of_range_are_refused(
    api: TestClient, method: str, path: str, params: dict[str, int]
) -> None:
    answer = api.request(method, path, params=params)
    if method == "GET" and path.endswith("/ack"):
        refused(answer, 405, "method_not_allowed")
        assert answer.headers["allow"] == "POST"
    else:
        refused(answer)


@pytest.mark.parametrize("registry_url", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/stations/naka%0001",  # NUL: PostgreSQL text cannot hold it
        "/api/v1/stations/" + "a" * 65,
        "/api/v1/stations/Naka-01/readings",
        "/api/v1/notices/%E6%B0%B4",
    ],
)
def test_ids_in_paths_are_what_a_station_topic_can_carry(api: TestClient, path: str) -> None:
    refused(api.get(path))


@pytest.mark.parametrize("registry_url", ["sqlite", "postgresql"], indirect=True)
def test_text_the_registry_cannot_hold_is_refused(api: TestClient, enrolled: str) -> None:
    answer = api.patch(f"/api/v1/stations/{enrolled}", json={"address": "中区\x00"})
    station = api.get(f"/api/v1/stations/{enrolled}").json()
    if answer.status_code == 200:  # SQLite holds NUL
        assert station["address"] == "中区\x00"
    else:  # PostgreSQL text cannot, and the answer says the edit was not stored
        refused(answer)
        assert station["address"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "0.5"}, "start"),  # a number is not a time, though pydantic would read one
        ({"end": "1785546000"}, "end"),
        ({"start": "0001-01-01T00:00:00+09:00"}, "start"),  # before 1970
        ({"end": "9999-12-31T23:59:59"}, "end"),  # after 3000
        ({"station": "bad id"}, "station"),
        ({"limit": BIG}, "limit"),
    ],
)
def test_query_times_ids_and_limits_are_checked(
    api: TestClient, params: dict[str, object], field: str
) -> None:
    path = "/api/v1/alerts" if {"station", "limit"} & set(params) else "/api/v1/stations/x/readings"
    assert field in refused(api.get(path, params=params))


@pytest.mark.parametrize(
    "change",
    [
        {"installed_at": 0},
        {"installed_at": "1785546000"},
        {"longitude": False},
        {"latitude": "35.4"},
        {"latitude": 91},
    ],
)
def test_body_values_of_the_wrong_type_are_refused(
    api: TestClient, enrolled: str, change: dict[str, object]
) -> None:
    assert next(iter(change)) in refused(api.patch(f"/api/v1/stations/{enrolled}", json=change))


@pytest.mark.parametrize(
    "content",
    [b"{", b"\xff\xfe", b'{"id": "naka-02", "name_ja": "x",}', b"[]", b"null"],
)
def test_a_malformed_body_is_an_invalid_request(api: TestClient, content: bytes) -> None:
    answer = api.post(
        "/api/v1/stations", content=content, headers={"Content-Type": "application/json"}
    )
    refused(answer)


def test_an_unknown_path_and_method_are_named_in_japanese_first(api: TestClient) -> None:
    assert refused(api.get("/api/v1/nothing"), 404, "not_found").startswith("ありません")
    answer = api.put("/api/v1/stations")
    assert refused(answer, 405, "method_not_allowed").startswith("このメソッド")
    assert answer.headers["allow"] == "GET, POST"


def test_the_openapi_document_lists_each_endpoints_errors_with_the_error_shape(
    api: TestClient,
) -> None:
    document = api.get("/openapi.json").json()
    paths = document["paths"]

    def statuses(path: str, method: str) -> set[str]:
        return {s for s in paths[path][method]["responses"] if s[0] in "45"}

    assert statuses("/api/v1/stations", "post") == {"400", "401", "403", "409", "422", "503"}
    assert statuses("/api/v1/stations/{station_id}", "patch") == {
        "400",
        "401",
        "403",
        "404",
        "409",
        "422",
        "503",
    }
    assert statuses("/api/v1/stations", "get") == {"401", "403", "422", "503"}
    assert statuses("/api/v1/public/levels", "get") == {"503"}
    error = paths["/api/v1/alerts/{alert_id}/ack"]["post"]["responses"]["404"]
    assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error"]
    assert "HTTPValidationError" not in schemas  # FastAPI's own 422 body is never sent
    limit = next(
        p for p in paths["/api/v1/quarantine"]["get"]["parameters"] if p["name"] == "before_id"
    )
    assert limit["schema"]["anyOf"][0]["maximum"] == 2**53 - 1
