"""The API accepts the console's session cookie as well as bearer tokens; cookie writes
need the CSRF token."""

from fastapi.testclient import TestClient

from server.auth.cookies import CSRF_HEADER, SESSION_COOKIE
from server.auth.signin import SignedIn, sign_in
from server.registry.db import Registry
from tests.auth.conftest import bearer
from tests.auth.helpers import PASSWORD, FakeClock

AREA = {"id": "naka", "name_ja": "中区"}


def signed_in(client: TestClient, registry: Registry, login: str, clock: FakeClock) -> str:
    """Sign ``login`` in as the library does; the client keeps the cookie. Returns its CSRF."""
    with registry.session() as session:
        result = sign_in(session, login, PASSWORD, client="testclient", now_ms=clock())
    assert isinstance(result, SignedIn)
    client.cookies.set(SESSION_COOKIE, result.session_token)
    return result.csrf_token


def test_a_cookie_session_reads_and_writes_with_its_csrf_token(
    app_client: TestClient, people: Registry, clock: FakeClock
) -> None:
    csrf = signed_in(app_client, people, "sato", clock)
    assert app_client.get("/api/v1/stations").status_code == 200
    made = app_client.put("/api/v1/areas/naka", json=AREA, headers={CSRF_HEADER: csrf})
    assert made.status_code == 200
    audit = app_client.get("/api/v1/audit", headers=bearer()).json()
    assert audit[0]["actor"] == "sato"
    assert audit[0]["action"] == "area.put"


def test_a_cookie_write_without_the_csrf_token_is_refused(
    app_client: TestClient, people: Registry, clock: FakeClock
) -> None:
    signed_in(app_client, people, "sato", clock)
    for headers in ({}, {CSRF_HEADER: "forged"}):
        refused = app_client.put("/api/v1/areas/naka", json=AREA, headers=headers)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "csrf_failed"
    assert app_client.get("/api/v1/areas").json() == []


def test_a_reader_cannot_write_through_a_cookie_session(
    app_client: TestClient, people: Registry, clock: FakeClock
) -> None:
    csrf = signed_in(app_client, people, "ito", clock)
    assert app_client.get("/api/v1/areas").status_code == 200
    refused = app_client.put("/api/v1/areas/naka", json=AREA, headers={CSRF_HEADER: csrf})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"


def test_a_bearer_client_needs_no_csrf_token_even_beside_a_cookie(
    app_client: TestClient, people: Registry, clock: FakeClock
) -> None:
    signed_in(app_client, people, "ito", clock)
    assert app_client.put("/api/v1/areas/naka", json=AREA, headers=bearer()).status_code == 200


def test_an_unknown_or_expired_cookie_is_not_signed_in(
    app_client: TestClient, people: Registry, clock: FakeClock
) -> None:
    app_client.cookies.set(SESSION_COOKIE, "made-up")
    assert app_client.get("/api/v1/areas").status_code == 401
    signed_in(app_client, people, "sato", clock)
    clock.advance(12 * 3600)
    gone = app_client.get("/api/v1/areas")
    assert gone.status_code == 401
    assert gone.json()["error"]["code"] == "unauthorized"
