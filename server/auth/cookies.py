"""The console's session cookie: HttpOnly, SameSite=Lax, Path=/, Secure over TLS.

SameSite=Lax rather than Strict: with Strict the first click on a link in a mail would
arrive without the cookie and show the sign-in page to someone already signed in. Writes
are protected by the CSRF token in any case.
"""

from starlette.requests import Request
from starlette.responses import Response

from server.auth.proxy import arrived_over_tls
from server.settings import CookieSecure, ServerSettings

SESSION_COOKIE = "kyusui_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def cookie_secure(request: Request, settings: ServerSettings) -> bool:
    if settings.console_cookie_secure is CookieSecure.ALWAYS:
        return True
    if settings.console_cookie_secure is CookieSecure.NEVER:
        return False
    return arrived_over_tls(request, settings)


def set_session_cookie(
    response: Response, token: str, *, secure: bool, max_age_s: int | None = None
) -> None:
    """Without ``max_age_s`` the cookie ends with the browser; the session ends on the server
    after ``console_session_hours`` either way."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age_s,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
