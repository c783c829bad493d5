"""The official-data importer's memory in the registry: files as last fetched, alerts per day."""

from datetime import date

from sqlalchemy.orm import Session

from contract.content import AlertKind
from server.official.decide import Applied, DayFlags
from server.official.importer import FileRecord, Status
from server.official.site import Validators
from server.registry.db import Registry, now_ms
from server.registry.models import OfficialAlertDay, OfficialFile


class RegistryMemory:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def validators(self, path: str) -> Validators | None:
        with self.registry.session() as session:
            row = session.get(OfficialFile, path)
            if row is None or row.good_body is None:
                return None
            return Validators(row.etag, row.last_modified)

    def good_body(self, path: str) -> bytes | None:
        with self.registry.session() as session:
            return good_body(session, path)

    def keep(self, record: FileRecord, body: bytes | None) -> None:
        at = int(record.checked_at.timestamp() * 1000)
        with self.registry.session() as session:
            row = session.get(OfficialFile, record.path)
            if row is None:
                row = OfficialFile(path=record.path, kind=record.kind.value)
                session.add(row)
            row.status, row.checked_at, row.reason = record.status.value, at, record.reason
            if record.status is Status.OK and body is not None:
                row.good_body, row.good_at = body, at
                validators = record.validators or Validators()
                row.etag, row.last_modified = validators.etag, validators.last_modified
            elif record.status is Status.REFUSED and body is not None:
                row.refused_body, row.refused_at = body, at

    def applied(self, day: date) -> Applied | None:
        with self.registry.session() as session:
            return applied_on(session, day)

    def record_applied(self, applied: Applied, official: DayFlags | None) -> None:
        with self.registry.session() as session:
            record_day(session, applied, official)


def good_body(session: Session, path: str) -> bytes | None:
    row = session.get(OfficialFile, path)
    return None if row is None else row.good_body


def applied_on(session: Session, day: date) -> Applied | None:
    row = session.get(OfficialAlertDay, day.isoformat())
    return None if row is None else Applied(day, AlertKind(row.alert), row.by_staff)


def record_day(session: Session, applied: Applied, official: DayFlags | None) -> None:
    """Staff setting or clearing the alert call this too (``official`` None), so the next
    official file leaves their decision for the day alone."""
    row = session.get(OfficialAlertDay, applied.day.isoformat())
    if row is None:
        row = OfficialAlertDay(day=applied.day.isoformat())
        session.add(row)
    row.alert, row.by_staff, row.applied_at = applied.alert.value, applied.by_staff, now_ms()
    if official is not None:
        row.flag = int(official.flag)
        row.reported_at = int(official.reported_at.timestamp() * 1000)
