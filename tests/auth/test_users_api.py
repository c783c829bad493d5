"""Admins manage staff users through /api/v1/users; every change is audited."""

from fastapi.testclient import TestClient

from server.auth.cookies import CSRF_HEADER
from tests.auth.conftest import bearer
from tests.auth.helpers import PASSWORD


def user_id(client: TestClient, login: str) -> int:
    listed = client.get("/api/v1/users", headers=bearer()).json()
    return next(int(u["id"]) for u in listed if u["login"] == login)


def signs_in(client: TestClient, login: str, password: str) -> int:
    answer = client.post("/api/v1/session", json={"login": login, "password": password})
    return int(answer.status_code)


def test_an_admin_adds_a_user_who_then_signs_in(app_client: TestClient) -> None:
    new = {"login": "suzuki@ward.example", "display_name": "鈴木", "role": "staff"}
    made = app_client.post("/api/v1/users", json=new | {"password": PASSWORD}, headers=bearer())
    assert made.status_code == 201
    shown = made.json()
    assert "password" not in shown
    assert shown["has_password"] is True
    assert shown["last_sign_in_at"] is None
    assert signs_in(app_client, "suzuki@ward.example", PASSWORD) == 200
    listed = {u["login"]: u for u in app_client.get("/api/v1/users", headers=bearer()).json()}
    assert listed["suzuki@ward.example"]["last_sign_in_at"].endswith("+09:00")
    taken = app_client.post("/api/v1/users", json=new | {"login": "SATO"}, headers=bearer())
    assert taken.json()["error"]["code"] == "conflict"


def test_a_short_password_is_refused_with_a_reason(app_client: TestClient) -> None:
    new = {"login": "short", "display_name": "S", "password": "abc"}
    refused = app_client.post("/api/v1/users", json=new, headers=bearer())
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "weak_password"
    assert "10" in refused.json()["error"]["message"]


def test_an_admin_changes_a_role_and_the_session_follows_at_once(app_client: TestClient) -> None:
    csrf = app_client.post("/api/v1/session", json={"login": "ito", "password": PASSWORD})
    headers = {CSRF_HEADER: csrf.json()["csrf_token"]}
    area = {"id": "naka", "name_ja": "中区"}
    assert app_client.put("/api/v1/areas/naka", json=area, headers=headers).status_code == 403
    ito = user_id(app_client, "ito")
    promoted = app_client.patch(
        f"/api/v1/users/{ito}", json={"role": "staff", "display_name": "伊藤"}, headers=bearer()
    )
    assert promoted.json()["role"] == "staff"
    assert app_client.get("/api/v1/session").json()["name"] == "伊藤"
    assert app_client.put("/api/v1/areas/naka", json=area, headers=headers).status_code == 200
    actions = [e["action"] for e in app_client.get("/api/v1/audit", headers=bearer()).json()]
    assert {"user.role", "user.rename"} <= set(actions)


def test_a_new_password_ends_sessions_and_lifts_a_lock_out(app_client: TestClient) -> None:
    assert signs_in(app_client, "sato", PASSWORD) == 200
    answers = [signs_in(app_client, "sato", "guess") for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    sato = user_id(app_client, "sato")
    new = "a new and longer password"
    set_it = app_client.post(
        f"/api/v1/users/{sato}/password", json={"password": new}, headers=bearer()
    )
    assert set_it.status_code == 204
    assert app_client.get("/api/v1/areas").status_code == 401  # the old session ended
    assert signs_in(app_client, "sato", PASSWORD) == 401
    assert signs_in(app_client, "sato", new) == 200


def test_the_last_admin_can_be_neither_disabled_nor_demoted(app_client: TestClient) -> None:
    kato = user_id(app_client, "kato")
    for change in ({"disabled": True}, {"role": "staff", "display_name": "加藤"}):
        refused = app_client.patch(f"/api/v1/users/{kato}", json=change, headers=bearer())
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "last_admin"
    kept = next(
        u for u in app_client.get("/api/v1/users", headers=bearer()).json() if u["id"] == kato
    )
    assert (kept["role"], kept["display_name"], kept["disabled_at"]) == ("admin", "Kato", None)
    sato = user_id(app_client, "sato")
    app_client.patch(f"/api/v1/users/{sato}", json={"role": "admin"}, headers=bearer())
    assert (
        app_client.patch(
            f"/api/v1/users/{kato}", json={"disabled": True}, headers=bearer()
        ).status_code
        == 200
    )


def test_only_admins_manage_users(app_client: TestClient) -> None:
    answer = app_client.post("/api/v1/session", json={"login": "sato", "password": PASSWORD})
    headers = {CSRF_HEADER: answer.json()["csrf_token"]}
    assert app_client.get("/api/v1/users").status_code == 403
    ito = user_id(app_client, "ito")
    assert (
        app_client.patch(
            f"/api/v1/users/{ito}", json={"role": "admin"}, headers=headers
        ).status_code
        == 403
    )
    missing = app_client.patch("/api/v1/users/9999", json={"disabled": True}, headers=bearer())
    assert missing.status_code == 404


def test_an_admin_lifts_a_lock_out_without_changing_the_password(app_client: TestClient) -> None:
    answers = [signs_in(app_client, "ito", "guess") for _ in range(5)]
    assert answers[-1] == 429
    ito = user_id(app_client, "ito")
    listed = app_client.get("/api/v1/users", headers=bearer()).json()
    assert next(u for u in listed if u["id"] == ito)["locked_until"].endswith("+09:00")
    lifted = app_client.patch(f"/api/v1/users/{ito}", json={"locked": False}, headers=bearer())
    assert lifted.json()["locked_until"] is None
    assert signs_in(app_client, "ito", PASSWORD) == 200
    actions = [e["action"] for e in app_client.get("/api/v1/audit", headers=bearer()).json()]
    assert "user.unlock" in actions
