"""One Jinja2 environment for every console page, autoescaped, Japanese first."""

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from contract.jst import JST
from server.api.schemas import jst as jst_datetime
from server.console.csp import console_policy
from server.console.i18n import Catalogues, request_lang
from server.console.snapshot import open_alert_count
from server.console.vendor import static_url, vendor_url
from server.registry.db import Registry
from server.registry.tokens import Principal
from server.settings import ServerSettings

TEMPLATES = Path(__file__).parent / "templates"
CATALOGUES = Catalogues()


def jst(value: int | datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Epoch ms or a datetime, shown in JST; empty for no value."""
    if value is None:
        return ""
    when = jst_datetime(value) if isinstance(value, int) else value.astimezone(JST)
    return when.strftime(fmt)


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.globals.update(jst=jst, static=static_url, vendor=vendor_url)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    principal: Principal | None,
    status_code: int = 200,
) -> HTMLResponse:
    html = render_text(request, template, context, principal)
    settings: ServerSettings = request.app.state.settings
    headers = {
        "Content-Security-Policy": console_policy(settings.console_tile_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
    return HTMLResponse(html, status_code=status_code, headers=headers)


def render_text(
    request: Request, template: str, context: dict[str, Any], principal: Principal | None
) -> str:
    """A page or a fragment (as live updates send) as text."""
    lang = request_lang(request)
    if principal is not None and "open_alerts" not in context:
        registry: Registry = request.app.state.registry
        with registry.session() as session:
            context = context | {"open_alerts": open_alert_count(session)}

    def translate(key: str, **values: object) -> str:
        return CATALOGUES.text(lang, key, **values)

    values: dict[str, Any] = {
        "request": request,
        "_": translate,
        "lang": lang,
        "principal": principal,
        "csrf_token": getattr(principal, "csrf_token", None) or "",
        "path": request.url.path,
        "query": request.url.query,
    } | context
    return ENV.get_template(template).render(values)
