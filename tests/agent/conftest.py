"""Fixtures for the station agent: a broker the test may stop, a server-side listener,
an agent running in a thread, a content-signing key."""

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as mqtt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract.codec import encode
from contract.signing import Signer
from contract.stored import ConfirmedTopic, messages_for
from contract.topics import stored_topic
from devnet.mosquitto import Mosquitto
from sensors.agent import Agent
from sensors.settings import AgentSettings
from tests.conftest import SERVER_USER, TEST_STATIONS

if TYPE_CHECKING:
    from tests.agent.delivery import Reporting

STATION = "st-test-01"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """An exception in the agent's or a callback's thread fails the test."""
    for item in items:
        if "tests/agent/" in str(item.path):
            item.add_marker(
                pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
            )


def wait_until(check: Callable[[], bool], timeout_s: float = 10.0, step_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step_s)
    return check()


@dataclass
class Listener:
    """The server's side of the broker: collects what stations publish and, like an ingest
    worker that stored it, confirms each telemetry and receipts message on ``…/stored``."""

    broker: Mosquitto
    client_id: str = field(default_factory=lambda: f"listener-{secrets.token_hex(4)}")
    persistent: bool = False  # keep the session (and queued messages) across broker restarts
    confirm: bool = True  # publish ``…/stored`` for every telemetry and receipts message
    messages: list[tuple[str, bytes]] = field(default_factory=list)
    correlations: dict[bytes, bytes] = field(default_factory=dict)  # correlation → payload
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set(SERVER_USER, self.broker.accounts[SERVER_USER])
        self.client.on_message = self._on_message
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.reconnect_delay_set(1, 2)
        self.subscribed = threading.Event()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        if message.retain:
            return  # left on the shared broker by an earlier test
        correlation = getattr(message.properties, "CorrelationData", None)
        with self.lock:
            self.messages.append((message.topic, bytes(message.payload)))
            if correlation is not None and message.topic.endswith("/cmd/result"):
                self.correlations[bytes(correlation)] = bytes(message.payload)
        kind = message.topic.rsplit("/", 1)[-1]
        if (
            self.confirm
            and message.topic.startswith(f"kyusui/v1/st/{STATION}/")
            and kind in {t.value for t in ConfirmedTopic}
        ):
            sent = json.loads(message.payload)
            done = [(ConfirmedTopic(kind), sent["session"], sent["seq"])]
            for stored in messages_for(done):
                client.publish(stored_topic(STATION), encode(stored), qos=1)

    def _on_connect(self, client: mqtt.Client, *args: Any) -> None:
        client.subscribe(f"kyusui/v1/st/{STATION}/#", qos=1)

    def _on_subscribe(self, client: mqtt.Client, *args: Any) -> None:
        self.subscribed.set()  # the broker granted it: from now on nothing is missed

    def start(self) -> "Listener":
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = 3600 if self.persistent else 0
        self.client.connect(
            "127.0.0.1", self.broker.port or 0, clean_start=not self.persistent, properties=props
        )
        self.client.loop_start()
        assert self.subscribed.wait(10), "the listener could not subscribe"
        return self

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        topic = f"kyusui/v1/st/{STATION}/{kind}"
        with self.lock:
            return [json.loads(p) for t, p in self.messages if t == topic and p]

    def readings(self) -> list[dict[str, Any]]:
        return [r for m in self.payloads("telemetry") for r in m["readings"]]

    def publish(
        self, topic: str, payload: bytes, retain: bool = False, correlation: bytes | None = None
    ) -> None:
        props = None
        if correlation is not None:
            props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            props.CorrelationData = correlation
        info = self.client.publish(topic, payload, qos=1, retain=retain, properties=props)
        info.wait_for_publish(5)


def broker_for(workdir: Path) -> Mosquitto:
    accounts = {SERVER_USER: secrets.token_urlsafe(12)} | {
        s: secrets.token_urlsafe(12) for s in TEST_STATIONS
    }
    return Mosquitto(
        workdir, accounts=accounts, station_areas=dict(TEST_STATIONS), server_user=SERVER_USER
    )


@pytest.fixture
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    """A broker of this test's own, which the test may stop and start again."""
    instance = broker_for(tmp_path_factory.mktemp("own-mosquitto")).start()
    yield instance
    instance.stop()


@pytest.fixture
def reporting(own_broker: Mosquitto, tmp_path: Path) -> "Reporting":
    """A station on the test's own broker that records what it measures (not started)."""
    from tests.agent.delivery import reporting_station  # it builds on this module

    return reporting_station(own_broker, tmp_path)


@pytest.fixture
def listener(broker: Mosquitto) -> Iterator[Listener]:
    instance = Listener(broker).start()
    yield instance
    instance.stop()


@pytest.fixture(autouse=True)
def _clear_retained_status(request: pytest.FixtureRequest) -> Iterator[None]:
    """The agent's status is retained: clear it on the shared broker after each test, so
    no later test (of any part of the product) sees this one's station."""
    yield
    if "broker" not in request.fixturenames:
        return
    broker: Mosquitto = request.getfixturevalue("broker")
    cleaner = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    cleaner.username_pw_set(SERVER_USER, broker.accounts[SERVER_USER])
    cleaner.connect("127.0.0.1", broker.port or 0)
    cleaner.loop_start()
    info = cleaner.publish(f"kyusui/v1/st/{STATION}/status", b"", qos=1, retain=True)
    info.wait_for_publish(5)
    cleaner.disconnect()
    cleaner.loop_stop()


def station_settings(state_dir: Path, **overrides: Any) -> AgentSettings:
    """The test station's settings, fast; for an agent given its link, so no broker's."""
    values: dict[str, Any] = {
        "station_id": STATION,
        "area": TEST_STATIONS[STATION],
        "state_dir": state_dir,
        "reading_interval_s": 0.2,
        "health_interval_s": 60,
        "sensor_min_gap_s": 0,
        "simulation_failure_rate": 0,
        "clock_check": "trust",
    } | overrides
    return AgentSettings(**values)


def agent_settings(broker: Mosquitto, state_dir: Path, **overrides: Any) -> AgentSettings:
    """The test station's settings on ``broker``."""
    on_broker = {"broker_port": broker.port, "broker_password": broker.accounts[STATION]}
    return station_settings(state_dir, **(on_broker | overrides))


@contextmanager
def running(agent: Agent) -> Iterator[Agent]:
    """Run the agent's loop in a thread; stop it as SIGTERM would."""
    thread = threading.Thread(target=agent.run, name="agent")
    thread.start()
    try:
        yield agent
    finally:
        agent.request_stop()
        thread.join(20)
        assert not thread.is_alive(), "the agent did not stop within 20 s"


@dataclass(frozen=True)
class ContentKey:
    signer: Signer
    pem_file: Path


def new_content_key(directory: Path) -> ContentKey:
    """A signing key, and its public half in the PEM file a station trusts."""
    private = Ed25519PrivateKey.generate()
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path = directory / "content-keys.pem"
    path.write_bytes(pem)
    return ContentKey(Signer(private), path)


@pytest.fixture
def content_key(tmp_path: Path) -> ContentKey:
    return new_content_key(tmp_path)
