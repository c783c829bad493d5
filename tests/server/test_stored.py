"""Ingest tells each station what it stored, only after the write, and its defaults lose
nothing: a stable client id, no session left behind, production refusing what loses data."""

import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from contract.codec import decode
from contract.stored import ConfirmedTopic, Stored
from contract.topics import stored_topic
from devnet.mosquitto import Mosquitto
from server.ingest.handler import Incoming, MessageHandler, Prepared
from server.ingest.worker import IngestWorker
from server.registry.db import Registry
from server.settings import ServerSettings
from server.store.base import StationReadings, StoreUnavailableError
from server.store.sqlite import SqliteTimeSeries
from tests.server.helpers import now_ms, reading, receipt, receipts, telemetry
from tests.server.test_ingest import STATION, TOPIC, publish_all, station, wait_until

T = ConfirmedTopic.TELEMETRY


def test_a_workers_client_id_is_the_same_at_every_start_and_differs_by_index() -> None:
    host = socket.gethostname().lower()
    first = ServerSettings().ingest_mqtt_client_id
    assert first == ServerSettings().ingest_mqtt_client_id
    assert first.startswith("ingest-")
    assert first.endswith("-0")
    assert host.split(".")[0].replace("_", "-")[:20] in first
    assert ServerSettings(ingest_worker_index=1).ingest_mqtt_client_id == first[:-1] + "1"
    assert ServerSettings(ingest_client_id="ingest-a").ingest_mqtt_client_id == "ingest-a"
    assert ServerSettings().ingest_session_expiry_s == 0, "no session outlives its worker"


def test_production_refuses_settings_that_lose_readings() -> None:
    secret = {"production": True, "broker_password": "s3cr3t-Enough"}
    with pytest.raises(ValueError, match="ingest_confirm_stored"):
        ServerSettings(**secret, ingest_confirm_stored=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeseries_path under a directory emptied"):
        ServerSettings(**secret, timeseries_path=Path("/tmp/ts.sqlite"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="registry_path"):
        ServerSettings(**secret, registry_path=Path("/run/kyusui/r.sqlite"))  # type: ignore[arg-type]
    # A registry elsewhere, or a time series in InfluxDB, makes the unused path harmless.
    ServerSettings(
        **secret,  # type: ignore[arg-type]
        registry_url="postgresql+psycopg://kyusui:x@db/kyusui",
        registry_path=Path("/tmp/unused.sqlite"),
    )
    assert ServerSettings(ingest_confirm_stored=False).data_losing(), "named outside production"
    assert ServerSettings(**secret).data_losing() == []  # type: ignore[arg-type]


def test_a_batch_reports_what_it_stored_and_what_it_quarantined(
    tmp_path: Path, sqlite_registry: Registry
) -> None:
    store = SqliteTimeSeries(tmp_path / "ts.sqlite")
    handler = MessageHandler(store, sqlite_registry)
    start = now_ms() - 60_000
    receipts_topic = f"kyusui/v1/st/{STATION}/receipts"
    batch = [
        Incoming(TOPIC, telemetry(7, reading(start), session=3), start),
        Incoming(TOPIC, telemetry(8, reading(start + 1000), session=3), start),
        Incoming(TOPIC, b'{"v":1,"session":3,"seq":9,"readings":"none"}', start),
        Incoming(TOPIC, b"not json at all", start),
        Incoming(receipts_topic, receipts(2, receipt("water-map", start), session=3), start),
        Incoming(f"kyusui/v1/st/{STATION}/health", b'{"v":1}', start),
    ]
    done = handler.handle_batch(batch)
    assert sorted(done) == [
        (STATION, ConfirmedTopic.RECEIPTS, 3, 2),
        (STATION, T, 3, 7),
        (STATION, T, 3, 8),
        (STATION, T, 3, 9),  # refused whatever happens: the station may stop sending it
    ]
    store.close()


class SwitchableStore(SqliteTimeSeries):
    """A real SQLite store that can be made to fail as an unreachable store does."""

    down = False

    def write_batch(self, batch: list[StationReadings]) -> None:
        if self.down:
            raise StoreUnavailableError("switched off by the test")
        super().write_batch(batch)

    def ping(self) -> None:
        if self.down:
            raise StoreUnavailableError("switched off by the test")
        super().ping()


@contextmanager
def confirmations_to_station(broker: Mosquitto, check: "Checker") -> Iterator[mqtt.Client]:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(STATION, broker.accounts[STATION])
    client.on_message = lambda c, u, m: check(decode(Stored, bytes(m.payload)))
    subscribed = threading.Event()
    client.on_subscribe = lambda *a: subscribed.set()
    client.connect("127.0.0.1", broker.port or 0)
    client.subscribe(stored_topic(STATION), qos=1)
    client.loop_start()
    assert subscribed.wait(10)
    yield client
    client.disconnect()
    client.loop_stop()


class Checker:
    """At the moment each confirmation arrives, is what it names already in the store?"""

    def __init__(self, store_path: Path, start: int) -> None:
        self.reader = SqliteTimeSeries(store_path)
        self.start = start
        self.confirmed: set[int] = set()
        self.messages = 0
        self.premature: list[int] = []

    def __call__(self, stored: Stored) -> None:
        present = {r.ts for r in self.reader.readings(STATION, self.start, self.start + 10**6)}
        self.messages += 1
        for r in stored.ranges:
            for seq in range(r.first, r.last + 1):
                self.confirmed.add(seq)
                if self.start + seq * 1000 not in present:
                    self.premature.append(seq)


def test_a_station_is_told_only_what_is_already_stored_one_message_per_batch(
    broker: Mosquitto, tmp_path: Path
) -> None:
    store_path = tmp_path / "ts.sqlite"
    store = SwitchableStore(store_path)
    settings = ServerSettings(
        broker_port=broker.port or 0,
        broker_password=broker.accounts["kyusui-server"],
        ingest_group=f"g{uuid.uuid4().hex[:6]}",
        ingest_client_id=f"ingest-{uuid.uuid4().hex[:6]}",
        ingest_batch_wait_s=0.05,
        ingest_retry_s=0.1,
    )
    handler = MessageHandler(store)
    batches = []
    store_batch = handler.store_batch

    def counting(batch: Prepared) -> list[tuple[str, ConfirmedTopic, int, int]]:
        done = store_batch(batch)
        batches.append(len(done))
        return done

    handler.store_batch = counting  # type: ignore[method-assign]
    worker = IngestWorker(settings, handler)
    start = now_ms() - 3_600_000
    sent = [telemetry(i, reading(start + i * 1000)) for i in range(40)]
    checker = Checker(store_path, start)
    worker.start()
    try:
        assert worker.subscribed.wait(10)
        with confirmations_to_station(broker, checker), station(broker) as client:
            publish_all(client, sent[:20])
            wait_until(lambda: checker.confirmed == set(range(20)), 15, "the first 20 confirmed")
            store.down = True
            worker.subscribed.clear()
            publish_all(client, sent[20:30])
            wait_until(
                lambda: handler.metrics.registry.get_sample_value("kyusui_ingest_paused") == 1,
                what="ingest to pause",
            )
            store.down = False
            assert worker.subscribed.wait(10)
            # The broker kept nothing for the paused worker (no lingering session): the
            # station sends again what it was never told was stored.
            publish_all(client, sent[20:])
            wait_until(lambda: checker.confirmed == set(range(40)), 15, "all 40 confirmed")
    finally:
        worker.stop()
        store.close()
    assert checker.premature == [], "confirmed before the write returned"
    assert checker.messages == sum(1 for n in batches if n), "one confirmation per batch"
    assert checker.messages < 40, "confirmations are grouped, not one per message"
