"""The FastAPI application factory."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sdnotify import SystemdNotifier
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.alerts.book import AlertBook
from server.alerts.notify import Notifier, notifier_for
from server.alerts.offline import check_offline
from server.api import (
    admin,
    alerts,
    commands,
    directory,
    emergency,
    heat_alert,
    metrics,
    notice_images,
    notices,
    official,
    places,
    public,
    receipts,
    session,
    station_data,
    stations,
    users,
)
from server.api.cache import FleetCache
from server.api.error_handlers import http_error_response
from server.api.error_handlers import install as install_error_handlers
from server.api.errors import error_body
from server.api.openapi import install as install_openapi
from server.console.app import mount_console
from server.publish import publisher_for
from server.registry.db import Registry
from server.settings import ServerSettings
from server.store.base import StoreUnavailableError, TimeSeriesStore
from server.store.factory import open_store

log = logging.getLogger("kyusui.api")
# The event loop pings systemd this often; the unit's WatchdogSec is several times more.
WATCHDOG_PING_S = 10.0


def _error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


async def _offline_checker(app: FastAPI, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await asyncio.to_thread(
                check_offline,
                app.state.registry,
                app.state.alert_book,
                app.state.settings.alert_offline_after_s,
            )
        except Exception:
            log.exception("offline check failed; trying again in %s s", interval_s)


async def _watchdog(systemd: SystemdNotifier) -> None:
    """Pings come from the event loop, so a blocked loop stops them."""
    while True:
        systemd.notify("WATCHDOG=1")
        await asyncio.sleep(WATCHDOG_PING_S)


def create_app(
    settings: ServerSettings,
    store: TimeSeriesStore | None = None,
    registry: Registry | None = None,
    notifier: Notifier | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.store = store or open_store(settings)
        app.state.registry = registry or Registry(settings.registry_sqlalchemy_url)
        app.state.notifier = notifier or notifier_for(settings.alert_webhook_url)
        app.state.alert_book = AlertBook(app.state.registry, app.state.notifier)
        app.state.metrics = metrics.ApiMetrics()
        app.state.fleet_cache = FleetCache(settings.api_fleet_cache_s)
        app.state.publisher = publisher_for(settings)
        checker = asyncio.create_task(_offline_checker(app, settings.alert_check_interval_s))
        systemd = SystemdNotifier()
        pinger = asyncio.create_task(_watchdog(systemd))
        systemd.notify("READY=1\nSTATUS=serving")
        yield
        systemd.notify("STOPPING=1")
        pinger.cancel()
        checker.cancel()
        with suppress(asyncio.CancelledError):
            await checker
        if notifier is None:
            app.state.notifier.close()
        if store is None:
            app.state.store.close()
        if registry is None:
            app.state.registry.close()

    app = FastAPI(
        title="Kyusui API",
        version="1",
        lifespan=lifespan,
        docs_url=None,  # served offline by the console, from npm packages
        redoc_url=None,
        description="給水所の暑さ指数ステーション API。認証: `Authorization: Bearer <token>`"
        "、またはコンソールのサインイン（`POST /api/v1/session` のクッキー。書き込みには"
        " `X-CSRF-Token`）。`/api/v1/public/levels` を除く。時刻は JST。",
    )

    @app.middleware("http")
    async def count_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        if hasattr(request.app.state, "metrics"):
            request.app.state.metrics.requests.labels(path, str(response.status_code)).inc()
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = getattr(exc, "error_code", None)
        return http_error_response(request, exc.status_code, str(exc.detail), code, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            why = first.get("ctx", {}).get("error", "")
            return _error(
                422, "invalid_request", f"本文が JSON ではありません / the body is not JSON: {why}"
            )
        where = ".".join(str(p) for p in first["loc"])
        return _error(422, "invalid_request", f"{where}: {first['msg']}")

    @app.exception_handler(StoreUnavailableError)
    async def store_down(request: Request, exc: StoreUnavailableError) -> JSONResponse:
        log.error("time series unavailable: %s", exc)
        return _error(
            503,
            "timeseries_unavailable",
            "時系列データベースに接続できません / the time-series database is unavailable",
        )

    @app.exception_handler(OperationalError)
    async def registry_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("registry unavailable: %s", exc)
        return _error(
            503,
            "registry_unavailable",
            "登録データベースに接続できません / the registry is unavailable",
        )

    install_error_handlers(app)
    app.include_router(stations.router)
    app.include_router(station_data.router)
    app.include_router(commands.router)
    app.include_router(notices.router)
    app.include_router(places.router)
    app.include_router(notice_images.router)
    app.include_router(receipts.router)
    app.include_router(alerts.router)
    app.include_router(admin.router)
    app.include_router(directory.router)
    app.include_router(session.router)
    app.include_router(users.router)
    app.include_router(heat_alert.router)
    app.include_router(emergency.router)
    app.include_router(official.router)
    app.include_router(public.router)
    app.include_router(metrics.router)
    mount_console(app, settings)
    install_openapi(app)
    return app
