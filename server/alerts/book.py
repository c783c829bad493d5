"""Alert state in the registry: raised once, cleared when the condition ends.

The unique index on open alerts (station, kind) makes "raised once" hold across several
ingest workers and API processes. A short-lived cache avoids a query per message.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.alerts.notify import AlertEvent, Notifier
from server.alerts.rules import Condition, StationAlertKind
from server.registry.db import Registry, now_ms
from server.registry.models import Alert

CACHE_S = 30.0


@dataclass
class _Known:
    open_kinds: set[StationAlertKind]
    at: float


# (station, the kinds this source decides about, which of them hold now)
Change = tuple[str, frozenset[StationAlertKind], dict[StationAlertKind, Condition]]


class AlertBook:
    def __init__(self, registry: Registry, notifier: Notifier) -> None:
        self.registry = registry
        self.notifier = notifier
        self._cache: dict[str, _Known] = {}
        self._uncommitted: dict[str, _Known] = {}  # what the cache learns once committed

    def sync(
        self,
        station: str,
        decides: Iterable[StationAlertKind],
        active: dict[StationAlertKind, Condition],
    ) -> None:
        """Make the open alerts among ``decides`` kinds match ``active`` for this station."""
        self.sync_all([(station, frozenset(decides), active)])

    def sync_all(self, changes: Iterable[Change]) -> None:
        """``sync`` for many stations: one registry transaction for every station whose
        cached state does not already match (none at all when every one does)."""
        due = self.due(changes)
        if not due:
            return
        with self.registry.session() as session:
            events = self.apply(session, due)
        self.committed(events)

    def due(self, changes: Iterable[Change]) -> list[Change]:
        """The changes the cache cannot answer (the registry must be read)."""
        now = time.monotonic()
        due = []
        for station, kinds, active in changes:
            known = self._cache.get(station)
            if (
                known is not None
                and now - known.at < CACHE_S
                and known.open_kinds & kinds == set(active)
            ):
                continue
            due.append((station, kinds, active))
        return due

    def apply(self, session: Session, due: list[Change]) -> list[AlertEvent]:
        """Raise and clear in ``session``; returns the events for ``committed``, to be
        called once the session committed (the cache learns nothing from a transaction
        that failed, so the redelivered message raises the alert again)."""
        self._uncommitted = {}
        stations = sorted({station for station, _, _ in due})
        open_alerts: dict[str, dict[StationAlertKind, Alert]] = {s: {} for s in stations}
        for alert in session.scalars(
            select(Alert).where(Alert.station_id.in_(stations), Alert.cleared_at.is_(None))
        ):
            open_alerts[alert.station_id][StationAlertKind(alert.kind)] = alert
        stamp = now_ms()
        events: list[AlertEvent] = []
        for station, kinds, active in due:
            now_open = open_alerts[station]
            for kind, alert in list(now_open.items()):
                if kind in kinds and kind not in active:
                    alert.cleared_at = stamp
                    events.append(AlertEvent.of("cleared", alert))
                    del now_open[kind]
            for kind, condition in active.items():
                if kind in now_open:
                    continue
                try:
                    with session.begin_nested():
                        alert = Alert(
                            station_id=station,
                            kind=kind.value,
                            severity=condition.severity,
                            detail=condition.detail,
                            raised_at=stamp,
                        )
                        session.add(alert)
                        session.flush()
                except IntegrityError:
                    continue  # another process raised it a moment ago
                now_open[kind] = alert
                events.append(AlertEvent.of("raised", alert))
            self._uncommitted[station] = _Known(set(now_open) | set(active), time.monotonic())
        return events

    def committed(self, events: list[AlertEvent]) -> None:
        """After ``apply``'s session committed: remember the state, send the events."""
        self._cache |= self._uncommitted
        self._uncommitted = {}
        for event in events:
            self.notifier.send(event)
