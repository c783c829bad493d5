"""What console pages build on: the principal that may be nobody, CSRF on form writes, and
the login form's own CSRF token."""

from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.testclient import TestClient

from server.api.deps import ConsolePrincipal, CsrfChecked
from server.auth.csrf import LOGIN_CSRF_COOKIE, check_login_csrf, login_csrf
from tests.auth.helpers import PASSWORD

page = APIRouter()


@page.get("/whoami")
def whoami(principal: ConsolePrincipal) -> dict[str, str | None]:
    return {"login": None if principal is None else principal.login}


@page.post("/note")
def note(text: Annotated[str, Form()], principal: ConsolePrincipal, _: CsrfChecked) -> str:
    return f"{principal.name if principal else '-'}: {text}"


@page.get("/login-form")
def login_form(request: Request, response: Response) -> str:
    return login_csrf(request, response)


@page.post("/login-form")
def login_post(request: Request, csrf_token: Annotated[str, Form()] = "") -> bool:
    return check_login_csrf(request, csrf_token)


def with_pages(client: TestClient) -> TestClient:
    app = client.app
    assert isinstance(app, FastAPI)
    app.include_router(page)
    return client


def test_nobody_signed_in_is_none_and_a_signed_in_user_is_known(app_client: TestClient) -> None:
    client = with_pages(app_client)
    assert client.get("/whoami").json() == {"login": None}
    client.cookies.set("kyusui_session", "stale")
    assert client.get("/whoami").json() == {"login": None}
    client.post("/api/v1/session", json={"login": "sato", "password": PASSWORD})
    assert client.get("/whoami").json() == {"login": "sato"}


def test_a_form_write_needs_the_csrf_field(app_client: TestClient) -> None:
    client = with_pages(app_client)
    signed = client.post("/api/v1/session", json={"login": "sato", "password": PASSWORD})
    csrf = signed.json()["csrf_token"]
    refused = client.post("/note", data={"text": "hello"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    accepted = client.post("/note", data={"text": "hello", "csrf_token": csrf})
    assert accepted.json() == "sato: hello"
    by_header = client.post("/note", data={"text": "hi"}, headers={"X-CSRF-Token": csrf})
    assert by_header.json() == "sato: hi"


def test_the_login_form_token_must_match_its_cookie(app_client: TestClient) -> None:
    client = with_pages(app_client)
    shown = client.get("/login-form")
    token = shown.json()
    cookie = shown.headers["set-cookie"]
    assert cookie.startswith(f"{LOGIN_CSRF_COOKIE}={token};")
    assert "HttpOnly" in cookie
    assert client.get("/login-form").json() == token  # the same while the cookie lasts
    assert client.post("/login-form", data={"csrf_token": token}).json() is True
    assert client.post("/login-form", data={"csrf_token": "forged"}).json() is False
    client.cookies.clear()
    assert client.post("/login-form", data={"csrf_token": token}).json() is False
