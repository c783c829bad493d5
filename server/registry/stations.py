"""Stations in the registry: enrolment, edits, and the pending ones that enrolled themselves."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.registry.db import Registry, now_ms
from server.registry.models import AuditEntry, EnrolmentState, Station


def audit(session: Session, actor: str, action: str, target: str, detail: str = "") -> None:
    session.add(AuditEntry(at=now_ms(), actor=actor, action=action, target=target, detail=detail))


def list_stations(session: Session, include_retired: bool = True) -> list[Station]:
    query = select(Station).order_by(Station.id)
    if not include_retired:
        query = query.where(Station.state != EnrolmentState.RETIRED.value)
    return list(session.scalars(query))


class KnownStations:
    """Registers stations the first time they report (as pending), once per process."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._known: set[str] = set()

    def ensure(self, station_id: str, area: str | None = None) -> None:
        if station_id in self._known:
            return
        try:
            with self.registry.session() as session:
                if session.get(Station, station_id) is None:
                    session.add(
                        Station(
                            id=station_id,
                            state=EnrolmentState.PENDING.value,
                            area_id=area,
                            created_at=now_ms(),
                        )
                    )
                    audit(session, "ingest", "station.discovered", station_id)
        except IntegrityError:
            pass  # another worker registered it first
        self._known.add(station_id)
