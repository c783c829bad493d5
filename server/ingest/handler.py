"""What to do with station messages, without any MQTT: validate, store, quarantine, alert.

A batch is handled in two steps: ``prepare`` decodes and validates it (no I/O,
``server.ingest.prepare``), ``store_batch`` writes it. ``store_batch`` returns only when
every good message is durably stored (readings in the time series, receipts in the
registry) and every bad one quarantined; it raises StoreUnavailableError otherwise, and
then nothing may be acknowledged. It returns the telemetry and receipts messages it is done
with, for the worker to confirm (``…/stored``). ``handle_batch`` does both at once.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.exc import DataError, SQLAlchemyError

from contract.messages import Reading
from contract.topics import StationTopic
from server.alerts.book import AlertBook, Change
from server.alerts.help import HELP_TOUCH, raise_help
from server.alerts.rules import HEALTH_KINDS, READING_KINDS, Thresholds, reading_conditions
from server.ingest.confirm import Done
from server.ingest.metrics import IngestMetrics
from server.ingest.prepare import Incoming, Prepared, Preparer, Refused
from server.registry import receipts as receipt_registry
from server.registry.db import Registry
from server.registry.quarantine import quarantine
from server.registry.receipts import StationReceipts
from server.registry.stations import KnownStations
from server.store.base import (
    FUTURE_TOLERANCE_S,
    StationReadings,
    StoreRejectedError,
    StoreUnavailableError,
    TimeSeriesStore,
)

__all__ = ["Incoming", "MessageHandler", "Prepared"]

log = logging.getLogger("kyusui.ingest")


@dataclass
class IngestStats:
    accepted: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)


class MessageHandler:
    def __init__(
        self,
        store: TimeSeriesStore,
        registry: Registry | None = None,
        alerts: AlertBook | None = None,
        metrics: IngestMetrics | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.alerts = alerts
        self.metrics = metrics or IngestMetrics()
        self.thresholds = thresholds or Thresholds()
        self.stats = IngestStats()
        self.known = None if registry is None else KnownStations(registry)
        tolerance_ms = getattr(store, "future_tolerance_ms", FUTURE_TOLERANCE_S * 1000)
        self.preparer = Preparer(self.thresholds, int(tolerance_ms))

    def handle(self, topic: str, payload: bytes, received_ms: int) -> bool:
        """Store one message; False when it was quarantined."""
        before = sum(self.stats.rejected.values())
        self.handle_batch([Incoming(topic, payload, received_ms)])
        return sum(self.stats.rejected.values()) == before

    def handle_batch(self, batch: list[Incoming]) -> list[Done]:
        """Store the batch; returns the confirmable messages it stored or quarantined."""
        return self.store_batch(self.prepare(batch))

    def prepare(self, batch: list[Incoming]) -> Prepared:
        """Decode and validate the batch (no I/O; any thread, one batch at a time)."""
        prepared = self.preparer.prepare(batch)
        if prepared.statuses:
            self.metrics.online_stations.set(sum(self.preparer.online.values()))
        return prepared

    def store_batch(self, batch: Prepared) -> list[Done]:
        """Write a prepared batch; returns when it is durably stored (batches are stored in
        the order they were prepared, by one thread). Raises StoreUnavailableError
        otherwise, and then nothing of it may be acknowledged."""
        done: list[Done] = []
        try:
            self._store_batch(batch, done)
        except SQLAlchemyError as exc:
            raise StoreUnavailableError(f"registry: {exc}") from exc
        return done

    def _store_batch(self, p: Prepared, done: list[Done]) -> None:
        for station, status, received_ms in p.statuses:
            self.store.record_status(station, status, received_ms)
        for station, health, received_ms in p.healths:
            self.store.record_health(station, health, received_ms)
        for refused in p.refused:
            self._quarantine(refused, done)
        kinds = p.kinds
        telemetry = p.telemetry
        if telemetry:
            telemetry = self._write(p, done)
            kinds[StationTopic.TELEMETRY.value] = len(telemetry)
            sent_as = p.sent_as
            done += [sent_as[id(m)] for m, _ in telemetry]
            p.latest.readings([item for _, item in telemetry])
        if p.receipts:
            recorded = self._record_receipts(p, done)
            kinds[StationTopic.RECEIPTS.value] = len(recorded)
            done += [p.sent_as[id(m)] for m, _ in recorded]
            self._help_alerts([item for _, item in recorded])
        for kind, n in kinds.items():
            self.stats.accepted[kind] += n
            self.metrics.messages.labels(kind).inc(n)
        if telemetry:  # what was stored
            newest = max(max(r.ts for r in item.readings) for _, item in telemetry)
            self.metrics.lag_seconds.set(max(0, p.last_received_ms - newest) / 1000)
        self._after_write(p, [item for _, item in telemetry])

    def _after_write(self, p: Prepared, readings: list[StationReadings]) -> None:
        """The batch's one pass over the registry, once its readings are stored: stations
        heard from for the first time, heat alerts from each station's newest reading and
        health alerts from its newest health message. One transaction, and none at all
        when nothing is new. (A failure raises: the batch is not acknowledged, and its
        messages, redelivered, make the same pass again.) What else the registry keeps per
        station per batch belongs in this pass."""
        if self.registry is None or self.known is None:
            return
        areas = self.preparer.areas
        new = self.known.unknown({s: areas.get(s) for s in p.heard})
        changes: list[Change] = []
        if self.alerts is not None:
            changes = self.alerts.due([*self._heat_changes(readings), *self._health_changes(p)])
        if not new and not changes and not p.latest.pending():
            return
        events = []
        with self.registry.session() as session:
            self.known.register(session, new)
            p.latest.record(session)  # station_latest: each station's newest state
            if self.alerts is not None and changes:
                events = self.alerts.apply(session, changes)
        self.known.remember(new)
        if self.alerts is not None:
            self.alerts.committed(events)

    def _write(self, p: Prepared, done: list[Done]) -> list[tuple[Incoming, StationReadings]]:
        """Write the batch's readings; returns what was stored (the store may refuse some)."""
        telemetry = stored = p.telemetry
        with self.metrics.write_seconds.time():
            try:
                self.store.write_batch([item for _, item in telemetry])
            except StoreRejectedError:
                # One bad message must not hold the others back: write them one by one.
                stored = []
                for message, item in telemetry:
                    try:
                        self.store.write_batch([item])
                    except StoreRejectedError as exc:
                        self._quarantine(
                            Preparer.refused(message, "store_rejected", str(exc), p), done
                        )
                    else:
                        stored.append((message, item))
        self.metrics.readings.inc(sum(len(item.readings) for _, item in stored))
        return stored

    def _record_receipts(
        self, p: Prepared, done: list[Done]
    ) -> list[tuple[Incoming, StationReceipts]]:
        """Store the batch's receipts in one transaction; returns what was stored. Without a
        registry (time-series-only set-ups) they are validated and not kept."""
        receipts = p.receipts
        if self.registry is None:
            return receipts
        try:
            with self.registry.session() as session:
                receipt_registry.record(session, [item for _, item in receipts])
        except DataError:
            # A value the registry refuses must not hold the others back: one by one.
            stored = []
            for message, item in receipts:
                try:
                    with self.registry.session() as session:
                        receipt_registry.record(session, [item])
                except DataError as exc:
                    why = str(exc.orig)
                    self._quarantine(Preparer.refused(message, "store_rejected", why, p), done)
                else:
                    stored.append((message, item))
            return stored
        return receipts

    def _heat_changes(self, items: list[StationReadings]) -> list[Change]:
        """Heat conditions of each station's newest stored reading."""
        newest: dict[str, Reading] = {}
        for item in items:
            readings = item.readings
            reading = readings[0] if len(readings) == 1 else max(readings, key=lambda r: r.ts)
            known = newest.get(item.station)
            if known is None or known.ts < reading.ts:
                newest[item.station] = reading
        changes = []
        for station, reading in newest.items():
            found = reading_conditions(reading)
            if found is not None:
                changes.append((station, READING_KINDS, found))
        return changes

    def _health_changes(self, p: Prepared) -> list[Change]:
        """Health conditions of each station's last health message of the batch."""
        return [(station, HEALTH_KINDS, found) for station, found in p.health_alerts.items()]

    def _help_alerts(self, items: list[StationReceipts]) -> None:
        """A help touch stored is a help alert raised (at most one per station per
        ``help_every_s``); before the message is confirmed, so a failure means a resend."""
        if self.alerts is None:
            return
        every_ms = self.thresholds.help_every_s * 1000
        for item in items:
            for touch in item.message.interactions:
                if touch.kind == HELP_TOUCH:
                    raise_help(self.alerts, item.station, touch.ts, every_ms)

    def _quarantine(self, refused: Refused, done: list[Done]) -> None:
        message, reason = refused.message, refused.reason
        self.stats.rejected[reason] += 1
        self.metrics.quarantined.labels(reason).inc()
        log.warning("quarantined message on %s: %s: %s", message.topic, reason, refused.detail)
        if refused.done is not None:
            done.append(refused.done)
        if self.registry is None:
            return
        quarantine(
            self.registry,
            topic=message.topic,
            station_id=refused.station,
            reason=reason,
            detail=refused.detail,
            payload=message.payload,
            received_ms=message.received_ms,
        )
