"""The importer's memory kept in a dict, for tests of the import logic."""

from dataclasses import dataclass, field
from datetime import date

from server.official.decide import Applied, DayFlags
from server.official.importer import FileRecord, Status
from server.official.site import Validators


@dataclass
class DictMemory:
    records: dict[str, FileRecord] = field(default_factory=dict)
    good: dict[str, bytes] = field(default_factory=dict)
    refused: dict[str, bytes] = field(default_factory=dict)
    days: dict[date, Applied] = field(default_factory=dict)

    def validators(self, path: str) -> Validators | None:
        record = self.records.get(path)
        return None if record is None else record.validators

    def good_body(self, path: str) -> bytes | None:
        return self.good.get(path)

    def keep(self, record: FileRecord, body: bytes | None) -> None:
        if record.status is Status.OK and body is not None:
            self.good[record.path] = body
            self.records[record.path] = record
        elif record.status is Status.REFUSED and body is not None:
            self.refused[record.path] = body
        else:
            previous = self.records.get(record.path)
            self.records[record.path] = record if previous is None else previous

    def applied(self, day: date) -> Applied | None:
        return self.days.get(day)

    def record_applied(self, applied: Applied, official: DayFlags) -> None:
        self.days[applied.day] = applied
