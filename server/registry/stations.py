"""Stations in the registry: enrolment, edits, and the pending ones that enrolled themselves."""

from collections.abc import Iterable

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
        new = self.unknown({station_id: area})
        if not new:
            return
        with self.registry.session() as session:
            self.register(session, new)
        self.remember(new)

    def unknown(self, stations: dict[str, str | None]) -> dict[str, str | None]:
        """Those of ``stations`` (id → area) this process has not registered yet."""
        return {s: area for s, area in stations.items() if s not in self._known}

    def register(self, session: Session, stations: dict[str, str | None]) -> None:
        """Add the stations the registry does not have, as pending, in ``session``; call
        ``remember`` once it committed."""
        if not stations:
            return
        present = set(session.scalars(select(Station.id).where(Station.id.in_(stations))))
        stamp = now_ms()
        for station_id, area in sorted(stations.items()):
            if station_id in present:
                continue
            try:
                with session.begin_nested():
                    session.add(
                        Station(
                            id=station_id,
                            state=EnrolmentState.PENDING.value,
                            area_id=area,
                            created_at=stamp,
                        )
                    )
                    session.flush()
                    audit(session, "ingest", "station.discovered", station_id)
            except IntegrityError:
                pass  # another worker registered it first

    def remember(self, stations: Iterable[str]) -> None:
        self._known.update(stations)
