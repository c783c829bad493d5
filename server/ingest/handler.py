"""What to do with station messages, without any MQTT: validate, store, quarantine, alert.

``handle_batch`` returns only when every good message is durably stored (readings in the
time series, receipts in the registry) and every bad one quarantined; it raises
StoreUnavailableError otherwise, and then nothing may be acknowledged. It returns the
telemetry and receipts messages it is done with, for the worker to confirm (``…/stored``).
"""

import logging
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.exc import DataError, SQLAlchemyError

from contract.codec import decode, payload_limit
from contract.errors import ContractError
from contract.messages import (
    CommandResult,
    Health,
    Reading,
    Receipts,
    StationState,
    Status,
    Telemetry,
)
from contract.stored import ConfirmedTopic
from contract.topics import StationTopic, parse_topic
from server.alerts.book import AlertBook, Change
from server.alerts.help import HELP_TOUCH, raise_help
from server.alerts.rules import (
    HEALTH_KINDS,
    READING_KINDS,
    Condition,
    StationAlertKind,
    Thresholds,
    health_conditions,
    reading_conditions,
)
from server.ingest.confirm import Done, sent_as
from server.ingest.latest import BatchLatest
from server.ingest.metrics import IngestMetrics
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

log = logging.getLogger("kyusui.ingest")


def _receipts(payload: bytes) -> Receipts:
    """Receipts as the contract has them, refusing what the registry cannot store."""
    receipts = decode(Receipts, payload)
    for i, receipt in enumerate(receipts.receipts):
        if "\x00" in receipt.lang:  # PostgreSQL text cannot hold NUL
            raise ContractError("store_rejected", f"receipts.{i}.lang: contains NUL")
    return receipts


@dataclass(frozen=True, slots=True)
class Incoming:
    topic: str
    payload: bytes
    received_ms: int


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
        self.areas: dict[str, str] = {}
        self.online: dict[str, bool] = {}
        self._topics: dict[str, tuple[str, str]] = {}
        self._done: list[Done] = []  # of the batch being handled
        self._sent_as: dict[int, Done] = {}  # id(message) → what it was, once parsed
        self._heard: set[str] = set()  # stations of the batch's good messages
        self._health_alerts: dict[str, dict[StationAlertKind, Condition]] = {}  # of the batch
        tolerance_ms = getattr(store, "future_tolerance_ms", FUTURE_TOLERANCE_S * 1000)
        self.latest = BatchLatest(int(tolerance_ms))  # station_latest, once per batch

    def handle(self, topic: str, payload: bytes, received_ms: int) -> bool:
        """Store one message; False when it was quarantined."""
        before = sum(self.stats.rejected.values())
        self.handle_batch([Incoming(topic, payload, received_ms)])
        return sum(self.stats.rejected.values()) == before

    def handle_batch(self, batch: list[Incoming]) -> list[Done]:
        """Store the batch; returns the confirmable messages it stored or quarantined."""
        self._done, self._sent_as = [], {}
        self.latest.discard()
        try:
            self._handle_batch(batch)
        except SQLAlchemyError as exc:
            raise StoreUnavailableError(f"registry: {exc}") from exc
        finally:
            self._sent_as, self._heard, self._health_alerts = {}, set(), {}
        done, self._done = self._done, []
        return done

    def _handle_batch(self, batch: list[Incoming]) -> None:
        telemetry: list[tuple[Incoming, StationReadings]] = []
        receipts: list[tuple[Incoming, StationReceipts]] = []
        kinds: Counter[str] = Counter()
        for message in batch:
            try:
                kind, parsed = self._one(message)
            except ContractError as exc:
                self._quarantine(message, exc.reason, exc.detail)
                continue
            if isinstance(parsed, StationReadings):
                telemetry.append((message, parsed))
            elif isinstance(parsed, StationReceipts):
                receipts.append((message, parsed))
            kinds[kind] += 1
        if telemetry:
            telemetry = self._write(telemetry)
            kinds[StationTopic.TELEMETRY.value] = len(telemetry)
            self._done += [self._sent_as[id(m)] for m, _ in telemetry]
            for _, item in telemetry:
                self.latest.reading(item)
        if receipts:
            recorded = self._record_receipts(receipts)
            kinds[StationTopic.RECEIPTS.value] = len(recorded)
            self._done += [self._sent_as[id(m)] for m, _ in recorded]
            self._help_alerts([item for _, item in recorded])
        for kind, n in kinds.items():
            self.stats.accepted[kind] += n
            self.metrics.messages.labels(kind).inc(n)
        if telemetry:  # what was stored
            newest = max(r.ts for _, item in telemetry for r in item.readings)
            self.metrics.lag_seconds.set(max(0, batch[-1].received_ms - newest) / 1000)
        self._after_write([item for _, item in telemetry])

    def _after_write(self, readings: list[StationReadings]) -> None:
        """The batch's one pass over the registry, once its readings are stored: stations
        heard from for the first time, heat alerts from each station's newest reading and
        health alerts from its newest health message. One transaction, and none at all
        when nothing is new. (A failure raises: the batch is not acknowledged, and its
        messages, redelivered, make the same pass again.) What else the registry keeps per
        station per batch belongs in this pass."""
        if self.registry is None or self.known is None:
            self.latest.discard()
            return
        new = self.known.unknown({s: self.areas.get(s) for s in self._heard})
        changes: list[Change] = []
        if self.alerts is not None:
            changes = self.alerts.due([*self._heat_changes(readings), *self._health_changes()])
        if not new and not changes and not self.latest.pending():
            return
        events = []
        with self.registry.session() as session:
            self.known.register(session, new)
            self.latest.record(session)  # station_latest: each station's newest state
            if self.alerts is not None and changes:
                events = self.alerts.apply(session, changes)
        self.known.remember(new)
        if self.alerts is not None:
            self.alerts.committed(events)

    def _write(
        self, telemetry: list[tuple[Incoming, StationReadings]]
    ) -> list[tuple[Incoming, StationReadings]]:
        """Write the batch; returns what was stored (the store may refuse some)."""
        stored = telemetry
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
                        self._quarantine(message, "store_rejected", str(exc))
                    else:
                        stored.append((message, item))
        self.metrics.readings.inc(sum(len(item.readings) for _, item in stored))
        return stored

    def _record_receipts(
        self, receipts: list[tuple[Incoming, StationReceipts]]
    ) -> list[tuple[Incoming, StationReceipts]]:
        """Store the batch's receipts in one transaction; returns what was stored. Without a
        registry (time-series-only set-ups) they are validated and not kept."""
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
                    self._quarantine(message, "store_rejected", str(exc.orig))
                else:
                    stored.append((message, item))
            return stored
        return receipts

    def _station_topic(self, topic: str) -> tuple[str, str]:
        """(station, kind) of a station's topic; parsed once per topic string."""
        known = self._topics.get(topic)
        if known is None:
            parsed = parse_topic(topic)
            if parsed.station_id is None:
                raise ContractError("topic", f"{topic!r} is not a station's topic")
            known = (parsed.station_id, parsed.kind)
            if len(self._topics) < 100_000:
                self._topics[topic] = known
        return known

    def _one(self, message: Incoming) -> tuple[str, StationReadings | StationReceipts | None]:
        station, kind = self._station_topic(message.topic)
        payload = message.payload
        if kind == StationTopic.TELEMETRY:
            telemetry = decode(Telemetry, payload)  # strict, as every station topic
            self._heard.add(station)
            self._sent_as[id(message)] = (
                station,
                ConfirmedTopic.TELEMETRY,
                telemetry.session,
                telemetry.seq,
            )
            return kind, StationReadings(
                station,
                list(telemetry.readings),
                self.areas.get(station),
                telemetry.session,
                telemetry.seq,
                message.received_ms,
            )
        if kind == StationTopic.STATUS:
            if not payload:  # a cleared retained status
                return kind, None
            status = decode(Status, payload)
            if status.area:
                self.areas[station] = status.area
            self._heard.add(station)
            self.store.record_status(station, status, message.received_ms)
            self.latest.status(station, status, message.received_ms)
            self.online[station] = status.state is StationState.ONLINE
            self.metrics.online_stations.set(sum(self.online.values()))
        elif kind == StationTopic.HEALTH:
            health = decode(Health, payload)
            self._heard.add(station)
            self.store.record_health(station, health, message.received_ms)
            self.latest.health(station, health, message.received_ms)
            self._health_alerts[station] = health_conditions(health, self.thresholds)
        elif kind == StationTopic.RECEIPTS:
            receipts = _receipts(payload)
            self._heard.add(station)
            self._sent_as[id(message)] = (
                station,
                ConfirmedTopic.RECEIPTS,
                receipts.session,
                receipts.seq,
            )
            return kind, StationReceipts(station, receipts, message.received_ms)
        elif kind == StationTopic.CMD_RESULT:
            decode(CommandResult, payload, payload_limit(kind))
        else:
            raise ContractError("topic", f"stations do not publish {kind!r}")
        return kind, None

    def _heat_changes(self, items: list[StationReadings]) -> list[Change]:
        """Heat conditions of each station's newest stored reading."""
        newest: dict[str, Reading] = {}
        for item in items:
            reading = max(item.readings, key=lambda r: r.ts)
            if item.station not in newest or newest[item.station].ts < reading.ts:
                newest[item.station] = reading
        changes = []
        for station, reading in newest.items():
            found = reading_conditions(reading)
            if found is not None:
                changes.append((station, READING_KINDS, found))
        return changes

    def _health_changes(self) -> list[Change]:
        """Health conditions of each station's last health message of the batch."""
        return [(station, HEALTH_KINDS, found) for station, found in self._health_alerts.items()]

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

    def _quarantine(self, message: Incoming, reason: str, detail: str) -> None:
        self.stats.rejected[reason] += 1
        self.metrics.quarantined.labels(reason).inc()
        log.warning("quarantined message on %s: %s: %s", message.topic, reason, detail)
        try:
            parsed = parse_topic(message.topic)
            station = parsed.station_id
        except ContractError:
            station = None
        if station is not None:
            done = self._sent_as.get(id(message)) or sent_as(station, parsed.kind, message.payload)
            if done is not None:
                self._done.append(done)
        if self.registry is None:
            return
        quarantine(
            self.registry,
            topic=message.topic,
            station_id=station,
            reason=reason,
            detail=detail,
            payload=message.payload,
            received_ms=message.received_ms,
        )
