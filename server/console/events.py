"""``/events``: server-sent events for the open pages — the fleet's rows and the alert count.

Each connection looks at the fleet once a second (the fleet cache makes that one computation
per period for all screens) and sends only what changed. A stream ends after a few minutes and
the browser's EventSource reconnects by itself, so no connection outlives a restart for long.
"""

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from server.api.cache import FleetCache
from server.console.access import PagePrincipal
from server.console.fleet import fleet_context, outbox_depths
from server.console.fleet_view import parse_query
from server.console.snapshot import fleet_rows, open_alert_count
from server.console.templating import render_text
from server.registry.db import Registry
from server.registry.tokens import Principal
from server.settings import ServerSettings
from server.store.base import TimeSeriesStore

router = APIRouter(include_in_schema=False)
POLL_S = 1.0
STREAM_S = 300.0
RETRY_MS = 1000


def sse(event: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n"


def _look(
    request: Request,
    principal: Principal,
    with_fleet: bool,
    area: str,
    level: str,
    state: str,
    sort: str,
) -> tuple[int, str | None]:
    app = request.app
    registry: Registry = app.state.registry
    store: TimeSeriesStore = app.state.store
    settings: ServerSettings = app.state.settings
    cache: FleetCache = app.state.fleet_cache
    with registry.session() as session:
        count = open_alert_count(session)
        if not with_fleet:
            return count, None
        rows = fleet_rows(session, store, settings, cache, outbox_depths(request))
    context = fleet_context(rows, parse_query(area, level, state, sort), settings)
    body = render_text(request, "fleet/_rows.html", context, principal)
    summary = render_text(request, "fleet/_summary.html", context, principal)
    payload = {"rows": body, "summary": summary, "markers": context["markers"]}
    return count, json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


@router.get("/events")
async def events(
    request: Request,
    principal: PagePrincipal,
    fleet: bool = False,
    area: str = "",
    level: str = "",
    state: str = "",
    sort: str = "",
) -> StreamingResponse:
    async def stream() -> AsyncIterator[str]:
        yield f"retry: {RETRY_MS}\n\n"
        last_count: int | None = None
        last_digest = ""
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_S
        while loop.time() < ends and not await request.is_disconnected():
            count, fleet_data = await asyncio.to_thread(
                _look, request, principal, fleet, area, level, state, sort
            )
            if count != last_count:
                last_count = count
                yield sse("alerts", str(count))
            if fleet_data is not None:
                digest = hashlib.sha256(fleet_data.encode()).hexdigest()
                if digest != last_digest:
                    last_digest = digest
                    yield sse("fleet", fleet_data)
            await asyncio.sleep(POLL_S)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
