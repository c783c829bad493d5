"""/login, /logout and the language switch."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.api.deps import ClockDep, ConsolePrincipal, CsrfChecked, SessionDep, SettingsDep
from server.auth.cookies import (
    SESSION_COOKIE,
    clear_session_cookie,
    cookie_secure,
    set_session_cookie,
)
from server.auth.csrf import check_login_csrf, login_csrf
from server.auth.policy import SignInPolicy
from server.auth.proxy import client_address
from server.auth.signin import LockedOut, Refused, sign_in, sign_out
from server.console.access import safe_next
from server.console.i18n import LANG_COOKIE, LANGS, SOURCE_LANG
from server.console.templating import render

router = APIRouter(include_in_schema=False)


def _login_page(
    request: Request, next_path: str, *, error: str = "", login: str = "", status: int = 200
) -> Response:
    """The form with a fresh login CSRF token (its cookie is set on the same answer)."""
    holder = Response()
    token = login_csrf(request, holder)
    page = render(
        request,
        "login.html",
        {"next": next_path, "error": error, "login": login, "login_csrf": token},
        None,
        status_code=status,
    )
    for key, value in holder.headers.items():
        if key.lower() == "set-cookie":
            page.headers.append(key, value)
    return page


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: ConsolePrincipal, next: str = "/") -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    login: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = safe_next(next)
    if not check_login_csrf(request, csrf_token):
        return _login_page(request, target, error="login.csrf", login=login, status=403)
    client = client_address(request, settings)
    policy = SignInPolicy.from_settings(settings)
    outcome = sign_in(session, login, password, client=client, now_ms=clock(), policy=policy)
    if isinstance(outcome, Refused):
        return _login_page(request, target, error="login.refused", login=login, status=401)
    if isinstance(outcome, LockedOut):
        page = _login_page(request, target, error="login.locked", login=login, status=429)
        page.headers["Retry-After"] = str(outcome.retry_after_s)
        return page
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, outcome.session_token, secure=cookie_secure(request, settings))
    return response


@router.post("/logout")
def logout(
    request: Request, session: SessionDep, settings: SettingsDep, _: CsrfChecked
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sign_out(session, token, client=client_address(request, settings))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    chosen = code if code in LANGS else SOURCE_LANG
    response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86_400, samesite="lax", path="/")
    return response
