"""Every console router, in one list; ``mount_console`` includes them all."""

from fastapi import APIRouter

from server.console import docs, events, fleet, login

ROUTERS: list[APIRouter] = [
    docs.router,
    login.router,
    fleet.router,
    events.router,
]
