"""``/events``: server-sent events for the open pages — the fleet's rows and the alert count.

Each connection looks four times a second; the fleet is computed at most twice a second for
all screens of the process and each view rendered once per change, and a connection sends only
what changed. A stream ends after 25 s and the browser's EventSource reconnects by itself:
uvicorn waits for open streams when it stops, so none keeps a stopping API waiting for long.
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
POLL_S = 0.25
STREAM_S = 25.0  # uvicorn waits for open streams when it stops: keep them short
RETRY_MS = 1000


def sse(event: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n"


def _look(
    request: Request, principal: Principal, with_fleet: bool, query: FleetQuery
) -> tuple[int, str | None, str | None]:
    """The open-alert count, and for the fleet page its rows and its map markers."""
    app = request.app
    registry: Registry = app.state.registry
    store: TimeSeriesStore = app.state.store
    settings: ServerSettings = app.state.settings
    fleet = console_fleet(request)
    with registry.session() as session:
        count = open_alert_count(session)
        if not with_fleet:
            return count, None, None
        version, rows = fleet.rows(session, store, settings)

    lang = request_lang(request)

    def build_rows() -> str:
        context = fleet_context(rows, query, settings)
        payload = {
            "rows": render_text(request, "fleet/_rows.html", context, principal),
            "summary": render_text(request, "fleet/_summary.html", context, principal),
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    def build_markers() -> str:
        chosen = fleet_context(rows, query, settings)["markers"]
        return json.dumps(chosen, ensure_ascii=False, separators=(",", ":"))

    table = fleet.view(("rows", version, lang, query), build_rows)
    markers = fleet.view(("markers", version, query), build_markers)
    return count, table, markers


@router.get("/events")
async def events(
    request: Request,
    principal: PagePrincipal,
    fleet: bool = False,
    area: str = "",
    level: str = "",
    state: str = "",
    sort: str = "",
    all: bool = False,
) -> StreamingResponse:
    query = parse_query(area, level, state, sort, all)

    async def stream() -> AsyncIterator[str]:
        yield f"retry: {RETRY_MS}\n\n"
        last_count: int | None = None
        last_sent = {"fleet": "", "markers": ""}
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_S
        while loop.time() < ends and not await request.is_disconnected():
            count, table, markers = await asyncio.to_thread(_look, request, principal, fleet, query)
            if count != last_count:
                last_count = count
                yield sse("alerts", str(count))
            for event, data in (("fleet", table), ("markers", markers)):
                if data is None:
                    continue
                digest = hashlib.sha256(data.encode()).hexdigest()
                if digest != last_sent[event]:
                    last_sent[event] = digest
                    yield sse(event, data)
            await asyncio.sleep(POLL_S)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
