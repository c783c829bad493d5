"""Messages that broke the contract, kept with the reason a person can act on."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.registry.db import Registry
from server.registry.models import QuarantinedMessage

KEEP_PAYLOAD_BYTES = 64 * 1024


def quarantine(
    registry: Registry,
    *,
    topic: str,
    station_id: str | None,
    reason: str,
    detail: str,
    payload: bytes,
    received_ms: int,
) -> None:
    with registry.session() as session:
        session.add(
            QuarantinedMessage(
                received_at=received_ms,
                topic=topic[:400],
                station_id=station_id,
                reason=reason[:32],
                detail=detail[:1000],
                payload=payload[:KEEP_PAYLOAD_BYTES],
                payload_size=len(payload),
            )
        )


def recent(
    session: Session, station_id: str | None, limit: int, before_id: int | None
) -> list[QuarantinedMessage]:
    query = select(QuarantinedMessage).order_by(QuarantinedMessage.id.desc()).limit(limit)
    if station_id is not None:
        query = query.where(QuarantinedMessage.station_id == station_id)
    if before_id is not None:
        query = query.where(QuarantinedMessage.id < before_id)
    return list(session.scalars(query))


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(QuarantinedMessage)) or 0)
