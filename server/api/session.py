"""Signing in to the console as JSON: ``POST``, ``GET`` and ``DELETE /api/v1/session``.

The console's own login form posts to its page; both end in ``server.auth.signin``.
A cross-site form cannot sign a browser in here: the body must be JSON, which a form
cannot send without the page's own script.
"""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from server.api.deps import ClockDep, ConsolePrincipal, CsrfChecked, RegistryDep, SettingsDep
from server.api.errors import CodedError
from server.auth.cookies import SESSION_COOKIE, clear_session_cookie, set_session_cookie
from server.auth.cookies import cookie_secure as secure_for
from server.auth.policy import SignInPolicy
from server.auth.proxy import client_address
from server.auth.signin import LockedOut, Refused, sign_in, sign_out
from server.registry.models import Role

router = APIRouter(prefix="/api/v1", tags=["session"])


class SignInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: Annotated[str, Field(min_length=1, max_length=200)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class SessionOut(BaseModel):
    login: str | None  # None for an API token
    name: str
    role: Role
    csrf_token: str | None  # send it as X-CSRF-Token (or the csrf_token field) with writes


def locked_out_error(result: LockedOut) -> HTTPException:
    error = CodedError(429, "locked_out", result.message)
    error.headers = {"Retry-After": str(result.retry_after_s)}
    return error


@router.post(
    "/session",
    summary="Sign in with a login and password: sets the session cookie",
    responses={401: {"description": "refused"}, 429: {"description": "locked out for a while"}},
)
def create_session(
    body: SignInIn,
    request: Request,
    response: Response,
    settings: SettingsDep,
    registry: RegistryDep,
    clock: ClockDep,
) -> SessionOut:
    client = client_address(request, settings)
    now = clock()
    with registry.session() as session:
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            sign_out(session, previous, client=client, now_ms=now)
        result = sign_in(
            session,
            body.login,
            body.password,
            client=client,
            now_ms=now,
            policy=SignInPolicy.from_settings(settings),
        )
    if isinstance(result, Refused):
        raise CodedError(401, "sign_in_refused", result.message)
    if isinstance(result, LockedOut):
        raise locked_out_error(result)
    set_session_cookie(response, result.session_token, secure=secure_for(request, settings))
    response.headers["Cache-Control"] = "no-store"  # the answer holds the CSRF token
    who = result.principal
    return SessionOut(
        login=who.login, name=who.display_name or who.name, role=who.role, csrf_token=who.csrf_token
    )


@router.get("/session", summary="Who is signed in (or which API token is calling)")
def current_session(principal: ConsolePrincipal, response: Response) -> SessionOut:
    if principal is None:
        raise HTTPException(401, "サインインしていません / nobody is signed in")
    response.headers["Cache-Control"] = "no-store"
    return SessionOut(
        login=principal.login,
        name=principal.display_name or principal.name,
        role=principal.role,
        csrf_token=principal.csrf_token,
    )


@router.delete(
    "/session",
    status_code=204,
    summary="Sign out: ends the session",
)
def end_session(
    request: Request,
    _: CsrfChecked,
    settings: SettingsDep,
    registry: RegistryDep,
    clock: ClockDep,
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    with registry.session() as session:
        ended = bool(token) and sign_out(
            session, token, client=client_address(request, settings), now_ms=clock()
        )
    if not ended:
        raise HTTPException(401, "サインインしていません / there is no console session to end")
    response = Response(status_code=204)
    clear_session_cookie(response)
    return response
