"""What to do with one station message, without any MQTT: validate, store, count."""

import logging
from collections import Counter
from dataclasses import dataclass, field

from contract.codec import MAX_COMMAND_RESULT_BYTES, decode
from contract.errors import ContractError
from contract.messages import Health, Receipts, Status, Telemetry
from contract.topics import StationTopic, parse_topic
from server.store.base import TimeSeriesStore

log = logging.getLogger("kyusui.ingest")


@dataclass
class IngestStats:
    accepted: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)


class MessageHandler:
    def __init__(self, store: TimeSeriesStore) -> None:
        self.store = store
        self.stats = IngestStats()

    def handle(self, topic: str, payload: bytes, received_ms: int) -> bool:
        """Store one message; False (counted and logged with its reason) when it is bad."""
        try:
            self._dispatch(topic, payload, received_ms)
        except ContractError as exc:
            self.stats.rejected[exc.reason] += 1
            log.warning("rejected message on %s: %s", topic, exc.detail)
            return False
        return True

    def _dispatch(self, topic: str, payload: bytes, received_ms: int) -> None:
        parsed = parse_topic(topic)
        station = parsed.station_id
        if station is None:
            raise ContractError("topic", f"{topic!r} is not a station's topic")
        kind = parsed.kind
        if kind == StationTopic.TELEMETRY:
            telemetry = decode(Telemetry, payload)
            self.store.write_readings(station, list(telemetry.readings))
        elif kind == StationTopic.STATUS:
            if not payload:  # a cleared retained status
                return
            self.store.record_status(station, decode(Status, payload), received_ms)
        elif kind == StationTopic.HEALTH:
            decode(Health, payload)
        elif kind == StationTopic.RECEIPTS:
            decode(Receipts, payload)
        elif kind == StationTopic.CMD_RESULT:
            if len(payload) > MAX_COMMAND_RESULT_BYTES:
                raise ContractError("too_large", "command result is too large")
        else:
            raise ContractError("topic", f"stations do not publish {kind!r}")
        self.stats.accepted[kind] += 1
