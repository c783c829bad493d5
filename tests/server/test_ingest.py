"""Ingest through a real Mosquitto into a real InfluxDB: nothing lost, nothing doubled."""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from pydantic import SecretStr

from devnet.influx import InfluxDB
from devnet.mosquitto import Mosquitto
from server.ingest.handler import MessageHandler
from server.ingest.worker import IngestWorker
from server.registry.db import Registry
from server.registry.quarantine import count as quarantined_count
from server.registry.receipts import for_station
from server.settings import ServerSettings
from server.store.influx import InfluxTimeSeries
from tests.server.conftest import influx_settings
from tests.server.helpers import reading, receipt, receipts, telemetry

STATION = "st-test-01"
TOPIC = f"kyusui/v1/st/{STATION}/telemetry"


def wait_until(condition: Callable[[], bool], timeout_s: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


@contextmanager
def station(broker: Mosquitto, station_id: str = STATION) -> Iterator[mqtt.Client]:
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"{station_id}-{uuid.uuid4().hex[:6]}",
        protocol=mqtt.MQTTv5,
    )
    client.username_pw_set(station_id, broker.accounts[station_id])
    assert broker.port is not None
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    yield client
    client.disconnect()
    client.loop_stop()


def publish_all(client: mqtt.Client, payloads: list[bytes], topic: str = TOPIC) -> None:
    infos = [client.publish(topic, p, qos=1) for p in payloads]
    for info in infos:
        info.wait_for_publish(10)
        assert info.is_published()


def worker_settings(
    broker: Mosquitto,
    base: ServerSettings,
    group: str,
    client_id: str,
    session_expiry_s: int = 3600,
) -> ServerSettings:
    """A worker whose session the broker keeps (``session_expiry_s``): these tests send as
    a bare client that never resends, so the broker's queue is what they exercise. The
    default, 0, leaves that to the stations' resend (tests/server/test_stored.py)."""
    return base.model_copy(
        update={
            "broker_port": broker.port,
            "broker_password": SecretStr(broker.accounts["kyusui-server"]),
            "ingest_group": group,
            "ingest_client_id": client_id,
            "ingest_session_expiry_s": session_expiry_s,
            "ingest_retry_s": 0.2,
            "ingest_batch_wait_s": 0.02,
        }
    )


@contextmanager
def running(settings: ServerSettings, registry: Registry | None = None) -> Iterator[IngestWorker]:
    store = InfluxTimeSeries(settings)
    worker = IngestWorker(settings, MessageHandler(store, registry))
    worker.start()
    assert worker.subscribed.wait(10), "the ingest worker did not subscribe"
    yield worker
    worker.stop()
    store.close()


def stored(settings: ServerSettings, start_ms: int) -> list[int]:
    store = InfluxTimeSeries(settings)
    try:
        return [r.ts for r in store.readings(STATION, start_ms, start_ms + 10_000_000)]
    finally:
        store.close()


def test_readings_sent_while_influxdb_is_down_land_once_it_is_back(
    broker: Mosquitto, tmp_path: Path
) -> None:
    influx = InfluxDB(tmp_path / "influx").start()
    try:
        base = influx_settings(influx, influx_timeout_s=1.0)
        settings = worker_settings(
            broker, base, f"g{uuid.uuid4().hex[:6]}", f"ingest-{uuid.uuid4().hex[:6]}"
        )
        start = (time.time_ns() // 1_000_000) - 3_600_000
        payloads = [telemetry(i, reading(start + i * 1000)) for i in range(300)]
        with running(settings) as worker, station(broker) as client:
            publish_all(client, payloads[:100])
            wait_until(lambda: len(stored(settings, start)) == 100, what="the first 100 readings")
            influx.stop()
            publish_all(client, payloads[100:200])
            wait_until(
                lambda: (
                    worker.handler.metrics.registry.get_sample_value("kyusui_ingest_paused") == 1
                ),
                what="ingest to pause",
            )
            publish_all(client, payloads[200:])
            influx.start()
            wait_until(lambda: len(stored(settings, start)) == 300, what="all 300 readings")
        assert stored(settings, start) == [start + i * 1000 for i in range(300)]
    finally:
        influx.stop()


def test_a_malformed_message_is_quarantined_once_and_never_redelivered(
    broker: Mosquitto, influxdb: InfluxDB, sqlite_registry: Registry
) -> None:
    base = influx_settings(influxdb)
    settings = worker_settings(
        broker, base, f"g{uuid.uuid4().hex[:6]}", f"ingest-{uuid.uuid4().hex[:6]}"
    )
    start = (time.time_ns() // 1_000_000) - 3_600_000
    with station(broker) as client:
        with running(settings, sqlite_registry):
            publish_all(client, [b'{"v": 1, "readings": "no"}', telemetry(1, reading(start))])
            wait_until(lambda: stored(settings, start) == [start], what="the good reading")
        with sqlite_registry.session() as session:
            assert quarantined_count(session) == 1
        # A restart resumes the same session: an unacknowledged message would come back first.
        with running(settings, sqlite_registry):
            publish_all(client, [telemetry(2, reading(start + 1000))])
            wait_until(lambda: len(stored(settings, start)) == 2, what="the reading after restart")
    with sqlite_registry.session() as session:
        assert quarantined_count(session) == 1


def test_receipts_a_station_publishes_are_stored_once_though_sent_twice(
    broker: Mosquitto, influxdb: InfluxDB, sqlite_registry: Registry
) -> None:
    settings = worker_settings(
        broker,
        influx_settings(influxdb),
        f"g{uuid.uuid4().hex[:6]}",
        f"ingest-{uuid.uuid4().hex[:6]}",
    )
    shown = (time.time_ns() // 1_000_000) - 3_600_000
    sent = receipts(1, receipt("water-map", shown), receipt("heat-tips", shown + 10_000))

    def listed() -> list[tuple[str, int]]:
        with sqlite_registry.session() as session:
            rows = for_station(session, STATION, shown, shown + 60_000, 100)
            return [(r.notice_id, r.shown_at) for r in rows]

    topic = f"kyusui/v1/st/{STATION}/receipts"
    with running(settings, sqlite_registry) as worker, station(broker) as client:
        publish_all(client, [sent, sent], topic)
        wait_until(lambda: worker.handler.stats.accepted["receipts"] == 2, what="both messages")
    assert listed() == [("water-map", shown), ("heat-tips", shown + 10_000)]


def test_messages_sent_while_ingest_is_stopped_wait_in_the_broker(
    broker: Mosquitto, influxdb: InfluxDB
) -> None:
    settings = worker_settings(
        broker,
        influx_settings(influxdb),
        f"g{uuid.uuid4().hex[:6]}",
        f"ingest-{uuid.uuid4().hex[:6]}",
    )
    start = (time.time_ns() // 1_000_000) - 3_600_000
    with station(broker) as client:
        with running(settings):
            publish_all(client, [telemetry(0, reading(start))])
            wait_until(lambda: len(stored(settings, start)) == 1, what="the first reading")
        publish_all(client, [telemetry(i, reading(start + i * 1000)) for i in range(1, 50)])
        with running(settings):
            wait_until(lambda: len(stored(settings, start)) == 50, what="the queued readings")


def test_two_workers_share_the_stream_without_losing_or_doubling(
    broker: Mosquitto, influxdb: InfluxDB
) -> None:
    base = influx_settings(influxdb)
    group = f"g{uuid.uuid4().hex[:6]}"
    one = worker_settings(broker, base, group, f"ingest-a-{uuid.uuid4().hex[:6]}")
    two = worker_settings(broker, base, group, f"ingest-b-{uuid.uuid4().hex[:6]}")
    start = (time.time_ns() // 1_000_000) - 3_600_000
    with running(one) as first, running(two) as second, station(broker) as client:
        publishers = []
        for part in range(2):
            chunk = [telemetry(i, reading(start + i * 1000)) for i in range(part, 400, 2)]
            publishers.append(threading.Thread(target=publish_all, args=(client, chunk)))
        for t in publishers:
            t.start()
        for t in publishers:
            t.join()
        wait_until(lambda: len(stored(one, start)) == 400, what="all 400 readings")
        handled = [w.handler.stats.accepted["telemetry"] for w in (first, second)]
    assert sum(handled) == 400, handled
    assert min(handled) > 0, f"one worker took everything: {handled}"
    assert stored(one, start) == [start + i * 1000 for i in range(400)]


def test_ingest_reconnects_after_the_broker_restarts(tmp_path: Path, influxdb: InfluxDB) -> None:
    from tests.conftest import SERVER_USER, TEST_STATIONS

    accounts = {SERVER_USER: "server-pw", STATION: "station-pw"}
    own = Mosquitto(tmp_path / "broker", accounts=accounts, station_areas=dict(TEST_STATIONS))
    own.start()
    try:
        settings = worker_settings(own, influx_settings(influxdb), "g1", "ingest-restart")
        start = (time.time_ns() // 1_000_000) - 3_600_000
        payloads = [telemetry(i, reading(start + i * 1000)) for i in range(100)]
        with running(settings) as worker:
            with station(own) as client:
                publish_all(client, payloads[:50])
            wait_until(lambda: len(stored(settings, start)) == 50, what="the first 50 readings")
            worker.subscribed.clear()
            own.stop()
            own.start()
            # Mosquitto 2.0.11 does not restore shared subscriptions from its persistence
            # file: what stations send before ingest is back has no subscriber (server.md).
            assert worker.subscribed.wait(15), "ingest did not resubscribe after the restart"
            with station(own) as client:
                publish_all(client, payloads[50:])
            wait_until(lambda: len(stored(settings, start)) == 100, what="readings after restart")
    finally:
        own.stop()


def test_a_single_worker_on_plain_subscriptions_loses_nothing_over_a_broker_restart(
    tmp_path: Path, influxdb: InfluxDB
) -> None:
    from tests.conftest import SERVER_USER, TEST_STATIONS

    accounts = {SERVER_USER: "server-pw", STATION: "station-pw"}
    own = Mosquitto(tmp_path / "broker", accounts=accounts, station_areas=dict(TEST_STATIONS))
    own.start()
    try:
        settings = worker_settings(own, influx_settings(influxdb), "", "ingest-plain")
        start = (time.time_ns() // 1_000_000) - 3_600_000
        with running(settings) as worker:
            assert worker.topics()[0] == "kyusui/v1/st/+/telemetry"
            worker.stop()  # ingest is down...
            own.stop()  # ...when the broker restarts
            own.start()
            with station(own) as client:
                publish_all(client, [telemetry(i, reading(start + i * 1000)) for i in range(20)])
        with running(settings):
            wait_until(lambda: len(stored(settings, start)) == 20, what="readings sent meanwhile")
    finally:
        own.stop()


def test_a_message_carrying_mqtt5_properties_is_stored_like_any_other(
    broker: Mosquitto, influxdb: InfluxDB
) -> None:
    """Ingest skips a message's properties (expiry, content type, user properties) whole."""
    settings = worker_settings(
        broker,
        influx_settings(influxdb),
        f"g{uuid.uuid4().hex[:6]}",
        f"ingest-{uuid.uuid4().hex[:6]}",
    )
    start = (time.time_ns() // 1_000_000) - 3_600_000
    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    props.MessageExpiryInterval = 3600
    props.ContentType = "application/json"
    props.UserProperty = [("app", "kyusui"), ("site", "駅前")]
    with running(settings) as worker, station(broker) as client:
        infos = [
            client.publish(TOPIC, telemetry(i, reading(start + i * 1000)), qos=1, properties=props)
            for i in range(50)
        ]
        for info in infos:
            info.wait_for_publish(10)
        wait_until(lambda: len(stored(settings, start)) == 50, what="50 readings")
        assert worker.handler.stats.rejected.total() == 0
    assert stored(settings, start) == [start + i * 1000 for i in range(50)]
