"""Dependencies shared by routes, as ``Annotated`` types.

Callers are people signed in to the console (the ``kyusui_session`` cookie) or machine
clients with an API token (``Authorization: Bearer``); both get the same roles.
"""

import secrets
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server.alerts.book import AlertBook
from server.api.cache import FleetCache
from server.api.errors import CodedError
from server.auth import sessions
from server.auth.cookies import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE
from server.auth.csrf import tokens_match
from server.registry.db import Registry, now_ms
from server.registry.models import Role
from server.registry.tokens import Principal, authenticate
from server.settings import ServerSettings
from server.store.base import TimeSeriesStore

bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer …`")
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="A console sign-in (`POST /api/v1/session`); writes also need `X-CSRF-Token`",
)


def get_store(request: Request) -> TimeSeriesStore:
    store: TimeSeriesStore = request.app.state.store
    return store


def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def get_registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


def get_alert_book(request: Request) -> AlertBook:
    book: AlertBook = request.app.state.alert_book
    return book


def get_fleet_cache(request: Request) -> FleetCache:
    cache: FleetCache = request.app.state.fleet_cache
    return cache


def get_session(registry: Annotated[Registry, Depends(get_registry)]) -> Iterator[Session]:
    with registry.session() as session:
        yield session


StoreDep = Annotated[TimeSeriesStore, Depends(get_store)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
# Committed before the answer is sent ("function" scope): a commit the registry refuses is
# the request's error, never a 200 for a change that was not stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
AlertBookDep = Annotated[AlertBook, Depends(get_alert_book)]
FleetCacheDep = Annotated[FleetCache, Depends(get_fleet_cache)]


def get_clock() -> Callable[[], int]:
    """The clock sign-in uses (UTC epoch ms); tests override it to step through lock-outs."""
    return now_ms


ClockDep = Annotated[Callable[[], int], Depends(get_clock)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
CookieDep = Annotated[str | None, Depends(session_cookie)]
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _bearer_principal(token: str, settings: ServerSettings, registry: Registry) -> Principal | None:
    bootstrap = settings.bootstrap_token.get_secret_value()
    if bootstrap and secrets.compare_digest(token.encode(), bootstrap.encode()):
        return Principal("bootstrap", Role.ADMIN)
    with registry.session() as session:
        return authenticate(session, token)


def _cookie_principal(token: str, registry: Registry, now: int) -> Principal | None:
    with registry.session() as session:
        return sessions.resolve(session, token, now_ms=now)


async def _principal(
    settings: ServerSettings,
    registry: Registry,
    credentials: HTTPAuthorizationCredentials | None,
    token: str | None,
    clock: Callable[[], int],
) -> tuple[Principal | None, bool]:
    """Who is calling and whether they came with a bearer token (else a cookie, or nothing)."""
    if credentials is not None and credentials.scheme.lower() == "bearer":
        found = await run_in_threadpool(
            _bearer_principal, credentials.credentials, settings, registry
        )
        return found, True
    if not token:
        return None, False
    return await run_in_threadpool(_cookie_principal, token, registry, clock()), False


async def _require_csrf(request: Request, principal: Principal) -> None:
    """A cookie-authenticated write must carry the session's CSRF token."""
    if request.method not in UNSAFE_METHODS or principal.csrf_token is None:
        return
    given = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "").lower()
    if given is None and content_type.startswith(_FORMS):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not tokens_match(principal.csrf_token, given):
        raise CodedError(
            403,
            "csrf_failed",
            "CSRF トークンがないか違います。ページを読み込み直してください"
            f" / the CSRF token is missing or wrong ({CSRF_HEADER} header or {CSRF_FIELD} field):"
            " reload the page",
        )


async def current_principal(
    request: Request,
    settings: SettingsDep,
    registry: RegistryDep,
    credentials: BearerDep,
    cookie: CookieDep,
    clock: ClockDep,
) -> Principal:
    """A bearer token (API clients) or the console's session cookie (people)."""
    principal, by_bearer = await _principal(settings, registry, credentials, cookie, clock)
    if principal is None:
        raise HTTPException(
            401,
            "API トークンが無効です / the API token is unknown or revoked"
            if by_bearer
            else "サインインするか API トークンを送ってください / sign in, or send an API token:"
            " Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    await _require_csrf(request, principal)
    return principal


async def optional_principal(
    settings: SettingsDep,
    registry: RegistryDep,
    credentials: BearerDep,
    cookie: CookieDep,
    clock: ClockDep,
) -> Principal | None:
    """Who is signed in, or None; never raises (the console shows its sign-in page)."""
    principal, _ = await _principal(settings, registry, credentials, cookie, clock)
    return principal


ConsolePrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def check_csrf(request: Request, principal: ConsolePrincipal) -> None:
    """For console form routes: a write from a signed-in browser needs its CSRF token."""
    if principal is not None:
        await _require_csrf(request, principal)


CsrfChecked = Annotated[None, Depends(check_csrf)]


def _require(role: Role) -> object:
    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.may(role):
            raise HTTPException(
                403, f"この操作には {role.value} 権限が必要です / this needs the {role.value} role"
            )
        return principal

    return check


Reader = Annotated[Principal, Depends(_require(Role.READER))]
Staff = Annotated[Principal, Depends(_require(Role.STAFF))]
Admin = Annotated[Principal, Depends(_require(Role.ADMIN))]
