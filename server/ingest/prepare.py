"""The first half of handling a batch: decode and validate every message, touching no store.

``Preparer.prepare`` turns a batch of raw messages into a ``Prepared`` batch: what to write
(readings, statuses, health, receipts), what to quarantine and why, and what to confirm once
stored. It does no I/O, so the worker runs it for the next batch while the previous one is
still being written (docs/server.md, "What limits one worker"); ``MessageHandler.store``
then does the writing, in batch order.
"""

from collections import Counter
from dataclasses import dataclass, field

from contract.codec import decode, payload_limit
from contract.errors import ContractError
from contract.messages import CommandResult, Health, Receipts, StationState, Status
from contract.stored import ConfirmedTopic
from contract.topics import StationTopic, parse_topic
from server.alerts.rules import Condition, StationAlertKind, Thresholds, health_conditions
from server.ingest.confirm import Done, sent_as
from server.ingest.latest import BatchLatest
from server.ingest.telemetry import telemetry as decode_telemetry
from server.registry.receipts import StationReceipts
from server.store.base import StationReadings

# Topics parsed once and kept; a bound, because a topic is whatever a client sent.
TOPIC_CACHE = 100_000


@dataclass(frozen=True, slots=True)
class Incoming:
    topic: str
    payload: bytes
    received_ms: int


@dataclass(frozen=True, slots=True)
class Refused:
    """A message to quarantine: why, and what to confirm for it (if it can be read)."""

    message: Incoming
    reason: str
    detail: str
    station: str | None
    done: Done | None


@dataclass
class Prepared:
    """One batch, decoded and validated; nothing of it stored yet."""

    latest: BatchLatest
    last_received_ms: int = 0
    telemetry: list[tuple[Incoming, StationReadings]] = field(default_factory=list)
    receipts: list[tuple[Incoming, StationReceipts]] = field(default_factory=list)
    statuses: list[tuple[str, Status, int]] = field(default_factory=list)
    healths: list[tuple[str, Health, int]] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)  # good messages, by kind
    sent_as: dict[int, Done] = field(default_factory=dict)  # id(message) → what it was
    heard: set[str] = field(default_factory=set)  # stations of the good messages
    health_alerts: dict[str, dict[StationAlertKind, Condition]] = field(default_factory=dict)


def _receipts(payload: bytes) -> Receipts:
    """Receipts as the contract has them, refusing what the registry cannot store."""
    receipts = decode(Receipts, payload)
    for i, receipt in enumerate(receipts.receipts):
        if "\x00" in receipt.lang:  # PostgreSQL text cannot hold NUL
            raise ContractError("store_rejected", f"receipts.{i}.lang: contains NUL")
    return receipts


def station_of(topic: str) -> tuple[str | None, str]:
    """(station or None, kind) of any topic, for a refused message; never raises."""
    try:
        parsed = parse_topic(topic)
    except ContractError:
        return None, ""
    return parsed.station_id, parsed.kind


class Preparer:
    """Decodes batches; keeps what it learns across them (areas, who is online, topics)."""

    def __init__(self, thresholds: Thresholds, future_tolerance_ms: int) -> None:
        self.thresholds = thresholds
        self.future_tolerance_ms = future_tolerance_ms
        self.areas: dict[str, str] = {}
        self.online: dict[str, bool] = {}
        self._topics: dict[str, tuple[str, str]] = {}

    def prepare(self, batch: list[Incoming]) -> Prepared:
        p = Prepared(BatchLatest(self.future_tolerance_ms))
        if batch:
            p.last_received_ms = batch[-1].received_ms
        for message in batch:
            try:
                kind = self._one(p, message)
            except ContractError as exc:
                p.refused.append(self.refused(message, exc.reason, exc.detail, p))
                continue
            p.kinds[kind] += 1
        return p

    @staticmethod
    def refused(message: Incoming, reason: str, detail: str, p: Prepared) -> Refused:
        station, kind = station_of(message.topic)
        done = None
        if station is not None:
            done = p.sent_as.get(id(message)) or sent_as(station, kind, message.payload)
        return Refused(message, reason, detail, station, done)

    def _station_topic(self, topic: str) -> tuple[str, str]:
        """(station, kind) of a station's topic; parsed once per topic string."""
        known = self._topics.get(topic)
        if known is None:
            parsed = parse_topic(topic)
            if parsed.station_id is None:
                raise ContractError("topic", f"{topic!r} is not a station's topic")
            known = (parsed.station_id, parsed.kind)
            if len(self._topics) < TOPIC_CACHE:
                self._topics[topic] = known
        return known

    def _one(self, p: Prepared, message: Incoming) -> str:
        """Decode one message into ``p``; returns its kind."""
        station, kind = self._station_topic(message.topic)
        payload, received_ms = message.payload, message.received_ms
        if kind == StationTopic.TELEMETRY:
            telemetry = decode_telemetry(payload)  # what contract.codec.decode accepts
            session, seq = telemetry.session, telemetry.seq
            p.heard.add(station)
            p.sent_as[id(message)] = (station, ConfirmedTopic.TELEMETRY, session, seq)
            item = StationReadings(
                station, list(telemetry.readings), self.areas.get(station), session, seq,
                received_ms,
            )  # fmt: skip
            p.telemetry.append((message, item))
        elif kind == StationTopic.STATUS:
            if not payload:  # a cleared retained status
                return kind
            status = decode(Status, payload)
            if status.area:
                self.areas[station] = status.area
            p.heard.add(station)
            p.statuses.append((station, status, received_ms))
            p.latest.status(station, status, received_ms)
            self.online[station] = status.state is StationState.ONLINE
        elif kind == StationTopic.HEALTH:
            health = decode(Health, payload)
            p.heard.add(station)
            p.healths.append((station, health, received_ms))
            p.latest.health(station, health, received_ms)
            p.health_alerts[station] = health_conditions(health, self.thresholds)
        elif kind == StationTopic.RECEIPTS:
            receipts = _receipts(payload)
            p.heard.add(station)
            p.sent_as[id(message)] = (
                station,
                ConfirmedTopic.RECEIPTS,
                receipts.session,
                receipts.seq,
            )
            p.receipts.append((message, StationReceipts(station, receipts, received_ms)))
        elif kind == StationTopic.CMD_RESULT:
            decode(CommandResult, payload, payload_limit(kind))
        else:
            raise ContractError("topic", f"stations do not publish {kind!r}")
        return kind
