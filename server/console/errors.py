"""Errors on console pages are pages too, in the reader's language; the API keeps JSON."""

from fastapi import Request
from fastapi.responses import HTMLResponse

from server.console.templating import render

API_PREFIXES = ("/api/", "/static/", "/openapi.json", "/metrics", "/events")
TITLES = {403: "error.forbidden", 404: "error.not_found", 422: "error.invalid"}


def wants_page(request: Request) -> bool:
    path = request.url.path
    if path.startswith(API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    title = TITLES.get(status, "error.other")
    principal = getattr(request.state, "console_principal", None)
    context = {"title": title, "message": message}
    return render(request, "error.html", context, principal, status_code=status)
