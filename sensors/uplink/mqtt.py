"""The MQTT link: paho 2.x, MQTT v5, birth and will, subscriptions, and PUBACKs handed to
the main loop.

Everything that arrives (acks, messages, connection changes) is queued and the main
loop is woken; only the main loop touches the station's files.
"""

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from contract.codec import encode
from contract.messages import StationState, Status
from contract.topics import StationTopic, station_subscriptions, station_topic
from sensors.settings import AgentSettings
from sensors.uplink.backoff import RECONNECT_SPREAD_S, Backoff
from sensors.uplink.link import Incoming

log = logging.getLogger("kyusui.agent.mqtt")
T = TypeVar("T")


@dataclass(frozen=True)
class LinkConfig:
    station_id: str
    area: str | None
    host: str
    port: int
    username: str
    password: str
    ca_file: str | None
    keepalive_s: int
    version: str
    reconnect_spread_s: float = RECONNECT_SPREAD_S

    @classmethod
    def from_settings(cls, s: AgentSettings, version: str) -> "LinkConfig":
        return cls(
            station_id=s.station_id,
            area=s.area,
            host=s.broker_host,
            port=s.broker_port,
            username=s.broker_username or s.station_id,
            password=s.broker_password.get_secret_value(),
            ca_file=str(s.broker_ca_file) if s.broker_ca_file else None,
            keepalive_s=s.broker_keepalive_s,
            version=version,
            reconnect_spread_s=s.reconnect_spread_s,
        )


def _drained(waiting: "queue.SimpleQueue[T]") -> Iterator[T]:
    while not waiting.empty():
        yield waiting.get()


class MqttLink:
    """The ``Link`` to a real broker."""

    def __init__(self, config: LinkConfig) -> None:
        self.config = config
        self.session = 0  # given at start, with the event to wake the main loop by
        self.wake = threading.Event()
        self._acks: queue.SimpleQueue[tuple[int, bool]] = queue.SimpleQueue()
        self._incoming: queue.SimpleQueue[Incoming] = queue.SimpleQueue()
        self.status_topic = station_topic(config.station_id, StationTopic.STATUS)
        self.connected = False
        self.subscribed = threading.Event()  # the broker granted this connection's subscriptions
        self.connections = 0
        self.birth_ts = 0
        self.backoff = Backoff(spread_s=config.reconnect_spread_s)
        self.client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        c = self.config
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=c.station_id, protocol=mqtt.MQTTv5
        )
        client.username_pw_set(c.username, c.password)
        if c.ca_file is not None:
            client.tls_set(ca_certs=c.ca_file)
        client.max_inflight_messages_set(20)
        client.max_queued_messages_set(0)
        client.reconnect_delay_set(1, 1)  # until the first failure: Backoff's from then on
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    def _next_wait(self, client: mqtt.Client) -> None:
        """Set paho's next reconnect wait (setting it starts paho's doubling afresh: the
        doubling and the jitter are ``Backoff``'s)."""
        wait = self.backoff.next_s()
        client.reconnect_delay_set(wait, wait)  # type: ignore[arg-type]  # paho takes seconds

    def _on_connect_fail(self, client: mqtt.Client, userdata: object) -> None:
        self._next_wait(client)

    def start(self, session: int, wake: threading.Event) -> None:
        self.session, self.wake = session, wake
        will = Status(state=StationState.OFFLINE, session=session)
        self.client.will_set(self.status_topic, encode(will), qos=1, retain=True)
        c = self.config
        self.client.connect_async(c.host, c.port, keepalive=c.keepalive_s)
        self.client.loop_start()

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            log.warning("broker refused the connection: %s", reason)
            return
        self.backoff.reset()
        birth = Status(
            state=StationState.ONLINE,
            session=self.session,
            ts=self.birth_ts or None,
            version=self.config.version,
            area=self.config.area,
        )
        client.publish(self.status_topic, encode(birth), qos=1, retain=True)
        client.subscribe(
            [(t, 1) for t in station_subscriptions(self.config.station_id, self.config.area)]
        )
        self.connections += 1  # before ``connected``: the loop reads them in that order
        self.connected = True
        log.info("connected to %s:%s", self.config.host, self.config.port)
        self.wake.set()

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if self.connected:
            log.warning("lost the broker (%s); readings wait in the outbox", reason)
        self._next_wait(client)
        self.connected = False
        self.subscribed.clear()
        self.wake.set()

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        refused = [r for r in reasons if r.is_failure]
        if refused:
            log.error("the broker refused subscriptions: %s", refused)
        else:
            self.subscribed.set()

    def _on_publish(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self._acks.put((mid, not reason.is_failure))
        self.wake.set()

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        props = getattr(message, "properties", None)
        correlation = getattr(props, "CorrelationData", None) if props is not None else None
        self._incoming.put(Incoming(message.topic, bytes(message.payload), correlation))
        self.wake.set()

    def acks(self) -> Iterator[tuple[int, bool]]:
        return _drained(self._acks)

    def messages(self) -> Iterator[Incoming]:
        return _drained(self._incoming)

    def publish(
        self, topic: str, payload: bytes, retain: bool = False, correlation: bytes | None = None
    ) -> int:
        """Queue a QoS 1 message; returns its mid. Paho resends it after a reconnect."""
        properties = None
        if correlation is not None:
            properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            properties.CorrelationData = correlation
        info = self.client.publish(topic, payload, qos=1, retain=retain, properties=properties)
        return int(info.mid)

    def stop(self, offline: Status, timeout_s: float = 5.0) -> None:
        """Publish the clean offline status (when connected) and disconnect."""
        if self.connected:
            info = self.client.publish(self.status_topic, encode(offline), qos=1, retain=True)
            try:
                info.wait_for_publish(timeout=timeout_s)
            except (RuntimeError, ValueError) as exc:
                log.warning("offline status not sent: %s", exc)
        self.connected = False  # a disconnect of our own is not an outage
        self.client.disconnect()
        self.client.loop_stop()
