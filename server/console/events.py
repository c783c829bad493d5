"""``/events``: server-sent events for the open pages — the fleet's rows and the alert count.

Each connection looks twice a second; the fleet is computed at most once a second for all
screens of the process and each view rendered once per change, and a connection sends only
what changed. A stream ends after a few minutes and
the browser's EventSource reconnects by itself, so no connection outlives a restart for long.
"""

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from server.console.access import PagePrincipal
from server.console.fleet import console_fleet, fleet_context
from server.console.fleet_view import FleetQuery, parse_query
from server.console.i18n import request_lang
from server.console.snapshot import open_alert_count
from server.console.templating import render_text
from server.registry.db import Registry
from server.registry.tokens import Principal
from server.settings import ServerSettings
from server.store.base import TimeSeriesStore

router = APIRouter(include_in_schema=False)
POLL_S = 0.5
STREAM_S = 300.0
RETRY_MS = 1000


def sse(event: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n"


def _look(
    request: Request, principal: Principal, with_fleet: bool, query: FleetQuery
) -> tuple[int, str | None]:
    app = request.app
    registry: Registry = app.state.registry
    store: TimeSeriesStore = app.state.store
    settings: ServerSettings = app.state.settings
    fleet = console_fleet(request)
    with registry.session() as session:
        count = open_alert_count(session)
        if not with_fleet:
            return count, None
        version, rows = fleet.rows(session, store, settings)

    def build() -> str:
        context = fleet_context(rows, query, settings)
        payload = {
            "rows": render_text(request, "fleet/_rows.html", context, principal),
            "summary": render_text(request, "fleet/_summary.html", context, principal),
            "markers": context["markers"],
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    return count, fleet.view((version, request_lang(request), query), build)


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
    query = parse_query(area, level, state, sort)

    async def stream() -> AsyncIterator[str]:
        yield f"retry: {RETRY_MS}\n\n"
        last_count: int | None = None
        last_digest = ""
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_S
        while loop.time() < ends and not await request.is_disconnected():
            count, fleet_data = await asyncio.to_thread(_look, request, principal, fleet, query)
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
