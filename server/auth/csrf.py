"""CSRF tokens: the session's own token for writes, and a double-submit token for the login
form (before there is a session, so that nobody can sign a browser in as someone else)."""

import secrets

from starlette.requests import Request
from starlette.responses import Response

from server.auth.cookies import cookie_secure
from server.settings import ServerSettings

LOGIN_CSRF_COOKIE = "kyusui_login_csrf"
_MAX_LENGTH = 200


def tokens_match(expected: str | None, given: str | None) -> bool:
    if not expected or not given or len(given) > _MAX_LENGTH:
        return False
    return secrets.compare_digest(expected.encode(), given.encode())


def login_csrf(request: Request, response: Response) -> str:
    """The token to put into the login form; sets (or renews) the ``kyusui_login_csrf``
    cookie that must come back with it."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not token or len(token) > _MAX_LENGTH:
        token = secrets.token_urlsafe(32)
    settings: ServerSettings = request.app.state.settings
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/",
        secure=cookie_secure(request, settings),
        httponly=True,
        samesite="lax",
    )
    return token


def check_login_csrf(request: Request, form_value: str | None) -> bool:
    return tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), form_value)
