"""Every console router, in one list; ``mount_console`` includes them all."""

from fastapi import APIRouter

from server.console import admin, docs, events, fleet, heat_alert, login, notices

ROUTERS: list[APIRouter] = [
    docs.router,
    login.router,
    fleet.router,
    events.router,
    notices.router,
    heat_alert.router,
    admin.router,
]
