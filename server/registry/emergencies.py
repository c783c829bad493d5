"""Disaster mode in the registry: what is in force, the content stations receive for it,
and which stations in its scope have confirmed showing it (their receipts)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contract.content import Emergency, Shelter, emergency_id
from server.registry.models import Emergency as EmergencyRow
from server.registry.models import EnrolmentState, ReceiptRow, Station
from server.registry.notices import next_version


@dataclass(frozen=True, slots=True)
class Confirmation:
    station_id: str
    name_ja: str | None
    area: str | None
    first_shown_at: int | None  # None: not confirmed yet
    last_shown_at: int | None


def list_emergencies(session: Session, withdrawn: bool | None = None) -> list[EmergencyRow]:
    """Every station's first, then by area."""
    query = select(EmergencyRow).order_by(EmergencyRow.area.is_not(None), EmergencyRow.area)
    if withdrawn is not None:
        query = query.where(EmergencyRow.withdrawn == withdrawn)
    return list(session.scalars(query))


def change(
    session: Session,
    area: str | None,
    now_ms: int,
    who: str,
    message: dict[str, str] | None,
    shelters: list[dict[str, dict[str, str]]],
) -> EmergencyRow:
    """The row with a new version: in force with ``message``, or withdrawn without one."""
    row = session.get(EmergencyRow, emergency_id(area))
    if row is None:
        row = EmergencyRow(id=emergency_id(area), area=area, message={}, shelters=[])
        session.add(row)
    row.version = next_version(row.version, now_ms)
    row.withdrawn = message is None
    if message is not None:
        row.message, row.shelters = message, shelters
    row.updated_at, row.updated_by = now_ms, who
    return row


def as_content(row: EmergencyRow, issued_at: int) -> Emergency:
    if row.withdrawn:
        return Emergency(
            id=row.id, version=row.version, issued_at=issued_at, area=row.area, withdrawn=True
        )
    return Emergency(
        id=row.id,
        version=row.version,
        issued_at=issued_at,
        area=row.area,
        message=row.message,
        shelters=[Shelter.model_validate(s) for s in row.shelters],
    )


def confirmations(session: Session, row: EmergencyRow) -> list[Confirmation]:
    """Every station in scope (not retired) with when its screen first and last showed
    this version; unconfirmed stations first."""
    stations = select(Station).where(Station.state != EnrolmentState.RETIRED.value)
    if row.area is not None:
        stations = stations.where(Station.area_id == row.area)
    shown = dict(
        (r[0], (r[1], r[2]))
        for r in session.execute(
            select(
                ReceiptRow.station_id, func.min(ReceiptRow.shown_at), func.max(ReceiptRow.shown_at)
            )
            .where(ReceiptRow.notice_id == row.id, ReceiptRow.version == row.version)
            .group_by(ReceiptRow.station_id)
        )
    )
    out = [
        Confirmation(s.id, s.name_ja, s.area_id, *shown.get(s.id, (None, None)))
        for s in session.scalars(stations.order_by(Station.id))
    ]
    return sorted(out, key=lambda c: (c.first_shown_at is not None, c.station_id))
