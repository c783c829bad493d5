"""Signing in, out and who is signed in, through /api/v1/session, as the console does."""

from fastapi.testclient import TestClient

from server.auth.cookies import CSRF_HEADER
from tests.auth.conftest import bearer
from tests.auth.helpers import PASSWORD, FakeClock

AREA = {"id": "naka", "name_ja": "中区"}


def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> dict[str, str]:
    answer = client.post("/api/v1/session", json={"login": login, "password": password})
    assert answer.status_code == 200, answer.text
    body: dict[str, str] = answer.json()
    return body


def sign_in_audit(client: TestClient) -> list[tuple[str, str]]:
    entries = client.get("/api/v1/audit", headers=bearer()).json()
    return [(e["action"], e["actor"]) for e in reversed(entries) if e["action"].startswith("auth")]


def test_a_staff_member_signs_in_works_and_signs_out(app_client: TestClient) -> None:
    answer = app_client.post("/api/v1/session", json={"login": "sato", "password": PASSWORD})
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("kyusui_session=")
    for flag in ("HttpOnly", "Path=/", "SameSite=lax"):
        assert flag in cookie
    assert "Secure" not in cookie  # plain HTTP, no proxy saying otherwise
    assert answer.headers["Cache-Control"] == "no-store"
    me = answer.json()
    assert (me["login"], me["name"], me["role"]) == ("sato", "Sato", "staff")
    assert app_client.get("/api/v1/session").json() == me
    headers = {CSRF_HEADER: me["csrf_token"]}
    assert app_client.put("/api/v1/areas/naka", json=AREA, headers=headers).status_code == 200
    assert app_client.delete("/api/v1/session", headers=headers).status_code == 204
    assert app_client.get("/api/v1/session").status_code == 401
    assert app_client.get("/api/v1/areas").status_code == 401
    assert sign_in_audit(app_client) == [("auth.sign_in", "sato"), ("auth.sign_out", "sato")]


def test_the_cookie_is_secure_when_the_request_came_over_tls(app_client: TestClient) -> None:
    app_client.base_url = app_client.base_url.copy_with(scheme="https")
    answer = app_client.post("/api/v1/session", json={"login": "sato", "password": PASSWORD})
    assert "; Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_is_refused_and_logged(app_client: TestClient) -> None:
    answer = app_client.post("/api/v1/session", json={"login": "sato", "password": "guess"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "sign_in_refused"
    assert "set-cookie" not in answer.headers
    assert app_client.get("/api/v1/session").status_code == 401
    entries = app_client.get("/api/v1/audit", headers=bearer()).json()
    failed = [e for e in entries if e["action"] == "auth.sign_in_failed"]
    assert [(e["actor"], e["target"], e["detail"]) for e in failed] == [
        ("sato", "testclient", "wrong password")
    ]


def test_repeated_failures_lock_out_then_let_in_after_the_delay(
    app_client: TestClient, clock: FakeClock
) -> None:
    for n in range(4):
        answer = app_client.post("/api/v1/session", json={"login": "sato", "password": f"x{n}"})
        assert answer.status_code == 401
    locked = app_client.post("/api/v1/session", json={"login": "sato", "password": "x5"})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    assert locked.headers["Retry-After"] == "60"
    clock.advance(59)
    still = app_client.post("/api/v1/session", json={"login": "sato", "password": PASSWORD})
    assert still.status_code == 429
    assert still.headers["Retry-After"] == "1"
    clock.advance(1)
    assert sign_in(app_client, "sato")["login"] == "sato"
    actions = [a for a, _ in sign_in_audit(app_client)]
    assert actions == ["auth.sign_in_failed"] * 5 + ["auth.locked_out"] * 2 + ["auth.sign_in"]


def test_a_reader_signed_in_can_read_everything_and_change_nothing(
    app_client: TestClient,
) -> None:
    csrf = {CSRF_HEADER: sign_in(app_client, "ito")["csrf_token"]}
    for path in ("/api/v1/stations", "/api/v1/areas", "/api/v1/alerts", "/api/v1/notices"):
        assert app_client.get(path).status_code == 200, path
    writes = [
        app_client.put("/api/v1/areas/naka", json=AREA, headers=csrf),
        app_client.post("/api/v1/tokens", json={"name": "x", "role": "admin"}, headers=csrf),
        app_client.post("/api/v1/users", json={"login": "x", "display_name": "X"}, headers=csrf),
    ]
    assert [w.status_code for w in writes] == [403, 403, 403]
    assert app_client.get("/api/v1/areas").json() == []


def test_a_cookie_post_without_the_csrf_token_is_refused(app_client: TestClient) -> None:
    sign_in(app_client, "kato")
    token = {"name": "exporter", "role": "reader"}
    missing = app_client.post("/api/v1/tokens", json=token)
    assert missing.status_code == 403
    assert missing.json()["error"]["code"] == "csrf_failed"
    form = app_client.post("/api/v1/tokens", data={"csrf_token": "forged", "name": "x"})
    assert form.json()["error"]["code"] == "csrf_failed"
    assert app_client.delete("/api/v1/session").json()["error"]["code"] == "csrf_failed"
    assert app_client.get("/api/v1/tokens", headers=bearer()).json() == []


def test_a_bearer_client_is_unaffected_by_sign_in(app_client: TestClient) -> None:
    made = app_client.put("/api/v1/areas/naka", json=AREA, headers=bearer())
    assert made.status_code == 200
    me = app_client.get("/api/v1/session", headers=bearer()).json()
    assert me == {"login": None, "name": "bootstrap", "role": "admin", "csrf_token": None}
    assert app_client.get("/api/v1/session").status_code == 401


def test_a_cross_site_form_cannot_sign_a_browser_in(app_client: TestClient) -> None:
    """A form can send text/plain that looks like JSON, but the endpoint takes only JSON."""
    forged = '{"login": "sato", "password": "' + PASSWORD + '"}'
    answer = app_client.post(
        "/api/v1/session", content=forged, headers={"Content-Type": "text/plain"}
    )
    assert answer.status_code == 422
    assert "set-cookie" not in answer.headers


def test_disabling_a_user_ends_their_session(app_client: TestClient) -> None:
    sign_in(app_client, "sato")
    assert app_client.get("/api/v1/session").status_code == 200
    users = app_client.get("/api/v1/users", headers=bearer()).json()
    sato = next(u["id"] for u in users if u["login"] == "sato")
    change = app_client.patch(f"/api/v1/users/{sato}", json={"disabled": True}, headers=bearer())
    assert change.status_code == 200
    assert change.json()["disabled_at"] is not None
    assert app_client.get("/api/v1/areas").status_code == 401
    again = app_client.post("/api/v1/session", json={"login": "sato", "password": PASSWORD})
    assert again.status_code == 401
