"""Alert state in the registry: raised once, cleared when the condition ends.

The unique index on open alerts (station, kind) makes "raised once" hold across several
ingest workers and API processes. A short-lived cache avoids a query per message.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.alerts.notify import AlertEvent, Notifier
from server.alerts.rules import Condition, StationAlertKind
from server.registry.db import Registry, now_ms
from server.registry.models import Alert

CACHE_S = 30.0


@dataclass
class _Known:
    open_kinds: set[StationAlertKind]
    at: float


class AlertBook:
    def __init__(self, registry: Registry, notifier: Notifier) -> None:
        self.registry = registry
        self.notifier = notifier
        self._cache: dict[str, _Known] = {}

    def sync(
        self,
        station: str,
        decides: Iterable[StationAlertKind],
        active: dict[StationAlertKind, Condition],
    ) -> None:
        """Make the open alerts among ``decides`` kinds match ``active`` for this station."""
        kinds = set(decides)
        known = self._cache.get(station)
        if (
            known is not None
            and time.monotonic() - known.at < CACHE_S
            and known.open_kinds & kinds == set(active)
        ):
            return
        events: list[AlertEvent] = []
        with self.registry.session() as session:
            open_alerts = {
                StationAlertKind(a.kind): a
                for a in session.scalars(
                    select(Alert).where(Alert.station_id == station, Alert.cleared_at.is_(None))
                )
            }
            stamp = now_ms()
            for kind, alert in open_alerts.items():
                if kind in kinds and kind not in active:
                    alert.cleared_at = stamp
                    events.append(AlertEvent.of("cleared", alert))
            for kind, condition in active.items():
                if kind in open_alerts:
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
                events.append(AlertEvent.of("raised", alert))
            now_open = {k for k in open_alerts if not (k in kinds and k not in active)}
        self._cache[station] = _Known(now_open | set(active), time.monotonic())
        for event in events:
            self.notifier.send(event)
