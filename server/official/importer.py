"""One import pass: fetch each official file, keep it (or keep why it was refused), and set the
stations' heat alert from the newest alert file. The I/O sits behind the pieces handed in."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from contract.content import AlertKind
from contract.jst import JST
from server.official.alerts import parse_alerts
from server.official.decide import Applied, DayFlags, flags_for_day, to_apply
from server.official.errors import OfficialDataError
from server.official.forecast import Forecast, parse_forecast
from server.official.observed import parse_observed
from server.official.site import (
    Fetched,
    Missing,
    NotModified,
    OfficialSite,
    Unreachable,
    Validators,
    alert_candidates,
    alert_path,
    forecast_path,
    observed_path,
)
from server.publish import PublishError

log = logging.getLogger("kyusui.official")


class FileKind(StrEnum):
    ALERT = "alert"
    FORECAST = "forecast"
    OBSERVED = "observed"


class Status(StrEnum):
    OK = "ok"
    MISSING = "missing"  # 404: out of season or not yet published
    REFUSED = "refused"  # did not parse; kept for inspection
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class FileRecord:
    path: str
    kind: FileKind
    status: Status
    checked_at: datetime
    reason: str = ""
    validators: Validators | None = None


class OfficialMemory(Protocol):
    """What the importer remembers between passes (the registry in production)."""

    def validators(self, path: str) -> Validators | None: ...
    def good_body(self, path: str) -> bytes | None: ...
    def keep(self, record: FileRecord, body: bytes | None) -> None: ...
    def applied(self, day: date) -> Applied | None: ...
    def record_applied(self, applied: Applied, official: DayFlags) -> None: ...


class AlertSetter(Protocol):
    def __call__(self, alert: AlertKind, official: DayFlags) -> None: ...


class ForecastSetter(Protocol):
    """Gives stations the forecast; True when it published (False: nothing new to show)."""

    def __call__(self, forecast: Forecast, today: date) -> bool: ...


def no_forecast(forecast: Forecast, today: date) -> bool:
    return False


@dataclass
class Pass:
    """What one pass found, for the log and for staff."""

    records: list[FileRecord] = field(default_factory=list)
    today: DayFlags | None = None
    tomorrow: DayFlags | None = None
    applied: AlertKind | None = None
    forecast: Forecast | None = None
    forecast_published: bool = False
    # Why the forecast could not be given to stations this pass ("" when it could).
    forecast_problem: str = ""


@dataclass
class Importer:
    site: OfficialSite
    memory: OfficialMemory
    set_alert: AlertSetter
    point: str
    area: str
    apply_alerts: bool = True
    observed_points: tuple[str, ...] = ()  # besides ``point``: each point stations compare with
    now: Callable[[], datetime] = field(default=lambda: datetime.now(JST))
    # Called after every file: the service pings systemd's watchdog from here.
    after_each_file: Callable[[], None] = field(default=lambda: None)
    # After each forecast fetch: the day's maxima to every station (signed, retained).
    set_forecast: ForecastSetter = field(default=no_forecast)

    def run(self) -> Pass:
        now = self.now()
        result = Pass()
        self._forecast(now, result)  # first: an alert set now shows the day's forecast
        self._alerts(now, result)
        self._observed(now, result)
        return result

    def _fetch(
        self, kind: FileKind, path: str, now: datetime, result: Pass, point: str = ""
    ) -> bytes | None:
        """The body to read: a new one, or the kept one when unchanged; None when missing."""
        outcome = self.site.get(path, self.memory.validators(path))
        if isinstance(outcome, NotModified):
            self.after_each_file()
            return self.memory.good_body(path)
        if isinstance(outcome, Missing):
            self._keep(FileRecord(path, kind, Status.MISSING, now), None, result)
            return None
        if isinstance(outcome, Unreachable):
            record = FileRecord(path, kind, Status.UNREACHABLE, now, outcome.reason)
            self._keep(record, None, result)
            return None
        assert isinstance(outcome, Fetched)
        try:
            _check(kind, outcome.body, point or self.point)
        except OfficialDataError as refused:
            reason = f"{refused.reason}: {refused.detail}"
            log.warning("official file refused", extra={"path": path, "reason": reason})
            self._keep(FileRecord(path, kind, Status.REFUSED, now, reason), outcome.body, result)
            return self.memory.good_body(path)
        record = FileRecord(path, kind, Status.OK, now, validators=outcome.validators)
        self._keep(record, outcome.body, result)
        return outcome.body

    def _keep(self, record: FileRecord, body: bytes | None, result: Pass) -> None:
        self.memory.keep(record, body)
        result.records.append(record)
        self.after_each_file()

    def _alerts(self, now: datetime, result: Pass) -> None:
        for day, hour in alert_candidates(now):
            body = self._fetch(FileKind.ALERT, alert_path(day, hour), now, result)
            if body is None:
                continue
            try:
                file = parse_alerts(body)
                result.today = flags_for_day(file, self.area, now.date())
                result.tomorrow = flags_for_day(file, self.area, now.date() + timedelta(days=1))
            except OfficialDataError:
                continue  # the area is not in this file: an older one may have it
            self._apply(result)
            return

    def _apply(self, result: Pass) -> None:
        official = result.today
        if official is None or not self.apply_alerts:
            return
        alert = to_apply(official, self.memory.applied(official.day))
        if alert is None:
            return
        self.set_alert(alert, official)
        self.memory.record_applied(Applied(official.day, alert, by_staff=False), official)
        result.applied = alert

    def _forecast(self, now: datetime, result: Pass) -> None:
        body = self._fetch(FileKind.FORECAST, forecast_path(self.point), now, result)
        if body is None:
            return
        result.forecast = parse_forecast(body, self.point)
        try:
            result.forecast_published = self.set_forecast(result.forecast, now.date())
        except PublishError as exc:
            result.forecast_problem = str(exc)
            log.warning("the official forecast was not given to stations: %s", exc)

    def _observed(self, now: datetime, result: Pass) -> None:
        month = now.date().replace(day=1)
        for point in dict.fromkeys((self.point, *self.observed_points)):
            path = observed_path(point, month)
            self._fetch(FileKind.OBSERVED, path, now, result, point)


def _check(kind: FileKind, body: bytes, point: str) -> None:
    """Raises OfficialDataError for a file that cannot be used."""
    if kind is FileKind.ALERT:
        parse_alerts(body)
    elif kind is FileKind.FORECAST:
        parse_forecast(body, point)
    else:
        parse_observed(body, point)
