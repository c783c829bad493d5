"""The heat alert stations hold now, and where it came from: the newer of the last one staff
set (its ``heat_alert.set`` audit entry keeps the alert as published) and the last one
kyusui-official gave from the Ministry's file (``official_alert_days``)."""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.content import AlertKind, HeatAlert
from server.official.decide import end_of
from server.official.wording import official_message
from server.registry.models import AuditEntry, OfficialAlertDay

ACTION = "heat_alert.set"
Source = Literal["moe", "staff"]


@dataclass(frozen=True, slots=True)
class AlertState:
    """The newest setting: who and when, and the alert as published (None for an entry
    written before the audit kept it). ``by_official``: the Ministry's file set it
    (kyusui-official), not a person."""

    kind: str
    set_by: str
    set_at: int
    alert: HeatAlert | None
    valid_on: str | None
    by_official: bool = False

    @property
    def source(self) -> Source:
        return "moe" if self.by_official else "staff"

    def expired(self, now: int) -> bool:
        expires = self.alert.expires_at if self.alert is not None else None
        return expires is not None and expires <= now

    def active(self, now: int) -> bool:
        return self.kind != AlertKind.NONE.value and not self.expired(now)


def by_staff(session: Session) -> AlertState | None:
    entry = session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == ACTION)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if entry is None:
        return None
    try:
        alert: HeatAlert | None = HeatAlert.model_validate_json(entry.detail)
    except ValidationError:
        alert = None  # an older entry: its detail is only the date it is valid on
    return AlertState(
        kind=entry.target,
        set_by=entry.actor,
        set_at=entry.at,
        alert=alert,
        valid_on=alert.valid_on if alert is not None else (entry.detail or None),
    )


def by_official(session: Session) -> AlertState | None:
    """What kyusui-official last gave the stations from the Ministry's file, as it did."""
    row = session.scalar(
        select(OfficialAlertDay)
        .where(OfficialAlertDay.by_staff.is_(False))
        .order_by(OfficialAlertDay.applied_at.desc())
        .limit(1)
    )
    if row is None:
        return None
    day = date.fromisoformat(row.day)
    kind = AlertKind(row.alert)
    alert = HeatAlert(
        id="heat",
        version=row.applied_at,
        issued_at=row.applied_at,
        expires_at=int(end_of(day).timestamp() * 1000),
        alert=kind,
        valid_on=row.day,
        message=official_message(kind),
    )
    return AlertState(row.alert, "", row.applied_at, alert, row.day, by_official=True)


def current_alert(session: Session) -> AlertState | None:
    """The newer of the last staff setting and the last one the Ministry's file made."""
    states = [s for s in (by_staff(session), by_official(session)) if s is not None]
    return max(states, key=lambda s: s.set_at, default=None)
