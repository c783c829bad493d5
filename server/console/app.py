"""``mount_console``: the console's pages, static files and front-end packages on the API app."""

import inspect
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from server.console.access import SignInNeededError
from server.console.errors import error_page, wants_page
from server.console.routes import ROUTERS
from server.console.snapshot import FleetFeed
from server.console.vendor import (
    SERVED_PACKAGES,
    STATIC_DIR,
    STATIC_PREFIX,
    VENDOR_PREFIX,
    node_modules,
)
from server.settings import ServerSettings

# The fleet page's change feed is looked at this often for all pages (one cheap query).
LIVE_FLEET_S = 0.25


def mount_console(app: FastAPI, settings: ServerSettings) -> None:
    ttl = min(settings.api_fleet_cache_s, LIVE_FLEET_S)
    app.state.console_fleet = FleetFeed(ttl)
    for router in ROUTERS:
        app.include_router(router)
    modules = node_modules(settings.console_vendor_dir)
    for package in SERVED_PACKAGES:
        files = StaticFiles(directory=modules / package, check_dir=False)
        app.mount(f"{VENDOR_PREFIX}/{package}", GZipMiddleware(files), name=f"vendor-{package}")
    app.mount(STATIC_PREFIX, GZipMiddleware(StaticFiles(directory=STATIC_DIR)), name="console")

    @app.exception_handler(SignInNeededError)
    async def to_login(request: Request, exc: SignInNeededError) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    as_json = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(StarletteHTTPException)
    async def page_error(request: Request, exc: StarletteHTTPException) -> Response:
        """A person gets a page; an API client keeps the JSON error shape."""
        if not wants_page(request):
            answer = as_json(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        return error_page(request, exc.status_code, str(exc.detail))
