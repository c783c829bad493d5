"""Publishing signed content to stations over MQTT (retained, QoS 1, confirmed by PUBACK)."""

import threading
import time
from pathlib import Path
from typing import Protocol, runtime_checkable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract.content import AnyContent
from contract.signing import Signer, load_private_key
from server.settings import ServerSettings


class PublishError(RuntimeError):
    """The broker did not confirm the publication."""


class ContentPublisher(Protocol):
    def publish(self, topic: str, content: AnyContent) -> None: ...


@runtime_checkable
class RawPublisher(Protocol):
    def publish_raw(self, topic: str, payload: bytes) -> None:
        """Retain ``payload`` as it is (a notice's picture; b"" clears the topic)."""


class MqttContentPublisher:
    """Signs each content and publishes it retained; one short connection per publication,
    since staff publish a handful of times a day."""

    def __init__(self, settings: ServerSettings, signer: Signer) -> None:
        self.settings = settings
        self.signer = signer

    def publish(self, topic: str, content: AnyContent) -> None:
        self._send(topic, self.signer.sign(content), expiry_properties(content))

    def publish_raw(self, topic: str, payload: bytes) -> None:
        self._send(topic, payload, None)

    def _send(self, topic: str, payload: bytes, properties: Properties | None) -> None:
        s = self.settings
        done = threading.Event()
        failure: list[str] = []
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"api-publish-{time.time_ns()}",
            protocol=mqtt.MQTTv5,
        )
        client.username_pw_set(s.broker_username, s.broker_password.get_secret_value())
        if s.broker_ca_file is not None:
            client.tls_set(ca_certs=str(s.broker_ca_file))

        def on_publish(c: mqtt.Client, u: object, mid: int, reason: object, p: object) -> None:
            if getattr(reason, "is_failure", False):
                failure.append(str(reason))
            done.set()

        client.on_publish = on_publish
        try:
            client.connect(s.broker_host, s.broker_port, keepalive=30)
        except OSError as exc:
            raise PublishError(f"broker unreachable: {exc}") from exc
        client.loop_start()
        try:
            client.publish(topic, payload, qos=1, retain=True, properties=properties)
            if not done.wait(10):
                raise PublishError("the broker did not confirm the publication in 10 s")
            if failure:
                raise PublishError(f"the broker refused the publication: {failure[0]}")
        finally:
            client.disconnect()
            client.loop_stop()


def expiry_properties(content: AnyContent) -> Properties | None:
    """Content that expires also leaves the broker then (MQTT 5 Message Expiry Interval),
    so stations connecting later are not sent something they would refuse as expired."""
    if content.expires_at is None:
        return None
    properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    remaining_ms = content.expires_at - time.time_ns() // 1_000_000
    properties.MessageExpiryInterval = max(1, -(-remaining_ms // 1000))
    return properties


def publisher_for(settings: ServerSettings) -> ContentPublisher | None:
    """None when no signing key is configured: stations would refuse unsigned content."""
    path: Path | None = settings.signing_key_file
    if path is None:
        return None
    return MqttContentPublisher(settings, Signer(load_private_key(path.read_bytes())))
