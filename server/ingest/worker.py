"""The MQTT side of ingest: one paho client on shared subscriptions."""

import logging
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from contract.topics import ingest_subscriptions
from server.ingest.handler import MessageHandler
from server.settings import ServerSettings

log = logging.getLogger("kyusui.ingest")


class IngestWorker:
    def __init__(self, settings: ServerSettings, handler: MessageHandler) -> None:
        self.settings = settings
        self.handler = handler
        self.subscribed = threading.Event()
        client_id = settings.ingest_client_id or f"ingest-{int(time.time() * 1000)}"
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set(
            settings.broker_username, settings.broker_password.get_secret_value()
        )
        if settings.broker_ca_file is not None:
            self.client.tls_set(ca_certs=str(settings.broker_ca_file))
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 30)

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            log.error("broker refused ingest: %s", reason)
            return
        topics = ingest_subscriptions(self.settings.ingest_group)
        client.subscribe([(t, 1) for t in topics])

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        failed = [r for r in reasons if r.is_failure]
        if failed:
            log.error("subscriptions refused: %s", failed)
        else:
            self.subscribed.set()

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        self.handler.handle(msg.topic, bytes(msg.payload), time.time_ns() // 1_000_000)

    def start(self) -> None:
        s = self.settings
        self.client.connect_async(s.broker_host, s.broker_port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
