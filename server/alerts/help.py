"""A call for help from a kiosk (「具合の悪い人がいる / Someone is unwell」): a staff alert
with the station's name and the touch's time, at most one per station per interval.

The touch's own time decides, so a resend of the same message, or touches queued during a
broker outage and replayed together, raise one alert. A new call after the interval
replaces the open one; acknowledging it clears it (server.api.alerts).
"""

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from contract.jst import JST
from server.alerts.book import AlertBook
from server.alerts.notify import AlertEvent
from server.alerts.rules import StationAlertKind
from server.registry.db import now_ms
from server.registry.models import Alert, Station

log = logging.getLogger("kyusui.alerts.help")
HELP_TOUCH = "help"  # the kiosk's interaction kind (contract.messages.Interaction)


def help_detail(station_id: str, station: Station | None, touched_at: int) -> str:
    when = datetime.fromtimestamp(touched_at / 1000, JST).strftime("%Y-%m-%d %H:%M")
    name_ja = (station.name_ja if station else None) or station_id
    name_en = (station.name_en if station else None) or name_ja
    where_ja = f"{name_ja}（{station.address}）" if station and station.address else name_ja
    return (
        f"{where_ja}で {when} に「具合の悪い人がいる」が押されました。119番通報ではありません / "
        f"'Someone is unwell' was pressed at {name_en} ({station_id}) at {when} JST; "
        "this is not a 119 call"
    )[:400]


def raise_help(book: AlertBook, station_id: str, touched_at: int, every_ms: int) -> bool:
    """Raise the help alert for this touch; False when one within ``every_ms`` of it exists."""
    stamp = now_ms()
    touched_at = min(touched_at, stamp)
    with book.registry.session() as session:
        recent = session.scalar(
            select(Alert.id).where(
                Alert.station_id == station_id,
                Alert.kind == StationAlertKind.HELP.value,
                Alert.raised_at > touched_at - every_ms,
                Alert.raised_at < touched_at + every_ms,
            )
        )
        if recent is not None:
            log.info("help from %s at %d: alert %d already raised", station_id, touched_at, recent)
            return False
        for open_alert in session.scalars(
            select(Alert).where(
                Alert.station_id == station_id,
                Alert.kind == StationAlertKind.HELP.value,
                Alert.cleared_at.is_(None),
            )
        ):
            open_alert.cleared_at = stamp
        session.flush()  # cleared before the new one is open: one open alert per kind
        alert = Alert(
            station_id=station_id,
            kind=StationAlertKind.HELP.value,
            severity="critical",
            detail=help_detail(station_id, session.get(Station, station_id), touched_at),
            raised_at=touched_at,
        )
        try:
            with session.begin_nested():
                session.add(alert)
                session.flush()
        except IntegrityError:
            return False  # another worker raised it a moment ago
        event = AlertEvent.of("raised", alert)
    log.warning("help requested at %s", station_id)
    book.notifier.send(event)
    return True
