"""Receipts: proof of which notice version each station's screen showed, when and how long.

Stations may send a receipt again (a redelivered message, a replayed outbox), so writing is
insert-or-ignore on (station, notice, version, ``shown_at``): a receipt is stored once.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from contract.messages import Receipts
from server.registry.models import Notice, ReceiptRow


@dataclass(frozen=True, slots=True)
class StationReceipts:
    """The receipts of one message, with the station it came from."""

    station: str
    message: Receipts
    received_ms: int


def record(session: Session, items: Sequence[StationReceipts]) -> None:
    """Store the receipts; ones already stored are left as they are."""
    rows = [
        {
            "station_id": item.station,
            "shown_at": r.shown_at,
            "notice_id": r.notice_id,
            "version": r.version,
            "duration_s": r.duration_s,
            "lang": r.lang,
            "received_at": item.received_ms,
        }
        for item in items
        for r in item.message.receipts
    ]
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(ReceiptRow).on_conflict_do_nothing(), rows)
    else:
        session.execute(sqlite.insert(ReceiptRow).on_conflict_do_nothing(), rows)


def for_station(
    session: Session, station_id: str, start_ms: int, end_ms: int, limit: int
) -> list[ReceiptRow]:
    """What the station showed in [start, end), oldest first."""
    query = (
        select(ReceiptRow)
        .where(ReceiptRow.station_id == station_id)
        .where(ReceiptRow.shown_at >= start_ms, ReceiptRow.shown_at < end_ms)
        .order_by(ReceiptRow.shown_at, ReceiptRow.notice_id, ReceiptRow.version)
        .limit(limit)
    )
    return list(session.scalars(query))


def for_notice(
    session: Session,
    notice_id: str,
    start_ms: int,
    end_ms: int,
    limit: int,
    version: int | None = None,
) -> list[ReceiptRow]:
    """Where and when the notice was shown in [start, end), oldest first."""
    query = (
        select(ReceiptRow)
        .where(ReceiptRow.notice_id == notice_id)
        .where(ReceiptRow.shown_at >= start_ms, ReceiptRow.shown_at < end_ms)
        .order_by(ReceiptRow.shown_at, ReceiptRow.station_id, ReceiptRow.version)
        .limit(limit)
    )
    if version is not None:
        query = query.where(ReceiptRow.version == version)
    return list(session.scalars(query))


def notice_known(session: Session, notice_id: str) -> bool:
    """Whether the registry holds the notice or any station ever reported showing it."""
    if session.get(Notice, notice_id) is not None:
        return True
    return bool(session.scalar(select(exists().where(ReceiptRow.notice_id == notice_id))))
