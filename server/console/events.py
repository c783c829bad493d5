"""``/events``: server-sent events for the open pages — the alert count, and for the fleet
page the stations that changed.

The fleet page loads the compact view itself and asks here (``?fleet=true&since=<its
cursor>``) only for what changed: first what changed since its cursor, looked up for it
alone, then the generations of the process's shared feed (``server.console.snapshot``).
Each change event carries the feed's cursor as its id, so the browser's EventSource comes
back with it (``Last-Event-ID``) and gets only what it missed. Each connection looks four
times a second. A stream ends after 25 s and EventSource reconnects by itself: uvicorn waits
for open streams when it stops, so none keeps a stopping API waiting for long.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse

from server.api.schemas import CountInQuery
from server.console.access import PagePrincipal
from server.console.snapshot import FleetFeed, changes_since, open_alert_count
from server.registry.db import Registry
from server.settings import ServerSettings

router = APIRouter(include_in_schema=False)
POLL_S = 0.25
STREAM_S = 25.0  # uvicorn waits for open streams when it stops: keep them short
RETRY_MS = 1000


def sse(event: str, data: str, id: int | None = None) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    first = "" if id is None else f"id: {id}\n"
    return f"{first}event: {event}\n{lines}\n"


@dataclass
class Follow:
    """Where one page is in the fleet's changes: the feed's generation it has (None until
    it caught up from its own cursor) and the cursor to come back with."""

    generation: int | None
    cursor: int | None


def _look(request: Request, with_fleet: bool, follow: Follow) -> tuple[int, list[bytes] | None]:
    """The open-alert count, and for the fleet page the rows that changed since it looked
    (None: nothing to send; the first answer is sent even when empty: the page is caught up)."""
    app = request.app
    registry: Registry = app.state.registry
    settings: ServerSettings = app.state.settings
    feed: FleetFeed = app.state.console_fleet
    with registry.session() as session:
        count = open_alert_count(session)
        if not with_fleet:
            return count, None
        generation, cursor = feed.look(session, settings)
        caught_up = follow.generation is not None
        found = feed.changes(follow.generation) if follow.generation is not None else None
        if found is None:  # just connected, or fell behind what the feed keeps
            found = [] if follow.cursor is None else changes_since(session, follow.cursor, settings)
        follow.generation, follow.cursor = generation, cursor
        return count, found if found or not caught_up else None


def _cursor(last_event_id: str | None, since: int | None) -> int | None:
    if last_event_id is not None and last_event_id.isdigit():
        return int(last_event_id)
    return since


@router.get("/events")
async def events(
    request: Request,
    principal: PagePrincipal,
    fleet: bool = False,
    since: CountInQuery = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    follow = Follow(None, _cursor(last_event_id, since))

    async def stream() -> AsyncIterator[str]:
        yield f"retry: {RETRY_MS}\n\n"
        last_count: int | None = None
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_S
        while loop.time() < ends and not await request.is_disconnected():
            count, rows = await asyncio.to_thread(_look, request, fleet, follow)
            if count != last_count:
                last_count = count
                yield sse("alerts", str(count))
            if rows is not None:
                body = b'{"rows":[' + b",".join(rows) + b"]}"
                yield sse("fleet", body.decode(), follow.cursor)
            await asyncio.sleep(POLL_S)
        if fleet and follow.cursor is not None:  # the next stream starts here
            yield sse("cursor", str(follow.cursor), follow.cursor)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
