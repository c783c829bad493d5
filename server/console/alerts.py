"""``/alerts``: the inbox of open alerts with acknowledge, and past alerts."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.api.alerts import acknowledge_alert, alert_out, find_alerts
from server.api.deps import CsrfChecked, SessionDep
from server.console.access import PagePrincipal, may_write, require_role, safe_next
from server.console.templating import render
from server.registry.models import Role
from server.registry.stations import list_stations

router = APIRouter(include_in_schema=False)
PAST_SHOWN = 100


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, principal: PagePrincipal, session: SessionDep) -> HTMLResponse:
    current = [alert_out(a) for a in find_alerts(session, open=True, limit=1000)]
    recent = [alert_out(a) for a in find_alerts(session, open=False, limit=PAST_SHOWN + 200)]
    names = {s.id: s.name_ja or s.id for s in list_stations(session)}
    context = {
        "inbox": [a for a in current if a.acknowledged_at is None],
        "acknowledged": [a for a in current if a.acknowledged_at is not None],
        "past_alerts": [a for a in recent if a.cleared_at is not None][:PAST_SHOWN],
        "station_names": names,
        "can_write": may_write(principal),
        "show_station": True,
    }
    return render(request, "alerts.html", context, principal)


@router.post("/alerts/{alert_id}/ack")
def acknowledge_form(
    alert_id: int,
    principal: PagePrincipal,
    _: CsrfChecked,
    session: SessionDep,
    next: Annotated[str, Form(max_length=2000)] = "/alerts",
) -> Response:
    require_role(principal, Role.STAFF)
    acknowledge_alert(session, alert_id, principal.name)
    return RedirectResponse(safe_next(next), status_code=303)
