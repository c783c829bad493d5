"""Every console router, in one list; ``mount_console`` includes them all."""

from fastapi import APIRouter

from server.console import (
    admin,
    alerts,
    docs,
    emergency,
    events,
    fleet,
    heat_alert,
    login,
    notice_picture,
    notices,
    official,
    places,
    station,
    station_edit,
)

ROUTERS: list[APIRouter] = [
    docs.router,
    login.router,
    fleet.router,
    events.router,
    station.router,
    station_edit.router,
    alerts.router,
    notices.router,
    notice_picture.router,
    heat_alert.router,
    emergency.router,
    official.router,
    places.router,
    admin.router,
]
