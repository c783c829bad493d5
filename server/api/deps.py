"""Dependencies shared by routes, as ``Annotated`` types."""

from typing import Annotated

from fastapi import Depends, Request

from server.settings import ServerSettings
from server.store.base import TimeSeriesStore


def get_store(request: Request) -> TimeSeriesStore:
    store: TimeSeriesStore = request.app.state.store
    return store


def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


StoreDep = Annotated[TimeSeriesStore, Depends(get_store)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
