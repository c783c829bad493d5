"""Alerts: what is open now, what was, and acknowledging one."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.alerts.rules import TITLES_JA, StationAlertKind
from server.api.deps import Reader, SessionDep, Staff
from server.api.schemas import AlertOut, IdInQuery, RowIdInPath, jst, jst_or_none
from server.registry.db import now_ms
from server.registry.models import Alert
from server.registry.stations import audit

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        station_id=alert.station_id,
        kind=alert.kind,
        title_ja=TITLES_JA[StationAlertKind(alert.kind)],
        severity=alert.severity,
        detail=alert.detail,
        raised_at=jst(alert.raised_at),
        cleared_at=jst_or_none(alert.cleared_at),
        acknowledged_at=jst_or_none(alert.acknowledged_at),
        acknowledged_by=alert.acknowledged_by,
    )


@router.get("", summary="Alerts, newest first; open ones only unless open=false")
def list_alerts(
    _: Reader,
    session: SessionDep,
    open: bool = True,
    station: IdInQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AlertOut]:
    return [alert_out(a) for a in find_alerts(session, open=open, station=station, limit=limit)]


def find_alerts(
    session: Session, *, open: bool, station: str | None = None, limit: int = 200
) -> list[Alert]:
    """Newest first; only open ones when ``open``, else every alert."""
    query = select(Alert).order_by(Alert.id.desc()).limit(limit)
    if open:
        query = query.where(Alert.cleared_at.is_(None))
    if station is not None:
        query = query.where(Alert.station_id == station)
    return list(session.scalars(query))


@router.post("/{alert_id}/ack", summary="Acknowledge an alert (it stays open until it clears)")
def acknowledge(alert_id: RowIdInPath, who: Staff, session: SessionDep) -> AlertOut:
    return alert_out(acknowledge_alert(session, alert_id, who.name))


def acknowledge_alert(session: Session, alert_id: int, actor: str) -> Alert:
    """Mark an alert as seen (once; 404 if there is none); audited."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise HTTPException(404, f"警報 {alert_id} はありません / no alert {alert_id}")
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now_ms()
        if alert.kind == StationAlertKind.HELP and alert.cleared_at is None:
            alert.cleared_at = alert.acknowledged_at  # nothing else ends a call for help
        alert.acknowledged_by = actor
        audit(session, actor, "alert.ack", str(alert_id))
    return alert
