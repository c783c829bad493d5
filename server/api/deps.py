"""Dependencies shared by routes, as ``Annotated`` types."""

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from server.alerts.book import AlertBook
from server.api.cache import FleetCache
from server.registry.db import Registry
from server.registry.models import Role
from server.registry.tokens import Principal, authenticate
from server.settings import ServerSettings
from server.store.base import TimeSeriesStore

bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer …`")


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


def current_principal(
    settings: SettingsDep,
    registry: RegistryDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401,
            "API トークンが必要です / an API token is required: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = credentials.credentials
    bootstrap = settings.bootstrap_token.get_secret_value()
    if bootstrap and secrets.compare_digest(token.encode(), bootstrap.encode()):
        return Principal("bootstrap", Role.ADMIN)
    with registry.session() as session:
        principal = authenticate(session, token)
    if principal is None:
        raise HTTPException(
            401,
            "API トークンが無効です / the API token is unknown or revoked",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


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
