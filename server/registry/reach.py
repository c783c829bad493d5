"""Which stations a notice is for, and which of them have not yet shown its current version.

A station counts as having shown the notice when its screen sent a receipt for the version
the registry holds now: a receipt for an older version means the screen still showed the
text before the last change.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from server.registry.models import EnrolmentState, Notice, ReceiptRow, Station


@dataclass(frozen=True, slots=True)
class StationReach:
    """One targeted station and the newest version of the notice its screen reported."""

    station_id: str
    name_ja: str | None
    name_en: str | None
    area_id: str | None
    shown_version: int | None  # newest version it showed; None: never shown
    last_shown_at: int | None  # when it last showed any version, epoch ms

    def has_shown(self, version: int) -> bool:
        return self.shown_version is not None and self.shown_version >= version


def _targeted(scope_key: str) -> ColumnElement[bool]:
    live = Station.state != EnrolmentState.RETIRED.value
    if scope_key == "all":
        return live
    prefix, _, name = scope_key.partition(":")
    if prefix == "area":
        return live & (Station.area_id == name)
    return live & (Station.id == name)


def reach(session: Session, notice: Notice) -> list[StationReach]:
    """Every station the notice is for (retired ones left out), by station id."""
    shown = (
        select(
            ReceiptRow.station_id,
            func.max(ReceiptRow.version).label("version"),
            func.max(ReceiptRow.shown_at).label("shown_at"),
        )
        .where(ReceiptRow.notice_id == notice.id)
        .group_by(ReceiptRow.station_id)
        .subquery()
    )
    query = (
        select(Station, shown.c.version, shown.c.shown_at)
        .outerjoin(shown, shown.c.station_id == Station.id)
        .where(_targeted(notice.scope))
        .order_by(Station.id)
    )
    return [
        StationReach(
            station_id=station.id,
            name_ja=station.name_ja,
            name_en=station.name_en,
            area_id=station.area_id,
            shown_version=version,
            last_shown_at=shown_at,
        )
        for station, version, shown_at in session.execute(query)
    ]


def not_yet_shown(session: Session, notice: Notice) -> list[StationReach]:
    """The targeted stations whose screens have not reported the current version."""
    return [r for r in reach(session, notice) if not r.has_shown(notice.version)]


def latest_receipts(
    session: Session, notice_id: str, since_ms: int, limit: int
) -> list[ReceiptRow]:
    """The notice's receipts shown since ``since_ms``, newest first."""
    query = (
        select(ReceiptRow)
        .where(ReceiptRow.notice_id == notice_id, ReceiptRow.shown_at >= since_ms)
        .order_by(ReceiptRow.shown_at.desc(), ReceiptRow.station_id, ReceiptRow.version.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
