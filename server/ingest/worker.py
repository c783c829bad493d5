"""The MQTT side of ingest: one paho client on shared subscriptions, manual acknowledgement.

A message is acknowledged (PUBACK) only after ``MessageHandler.handle_batch`` returned, i.e.
its readings are stored or it is quarantined. When the store is down the worker
disconnects without acknowledging; the broker keeps the session (fixed client id, session
expiry) and redelivers everything unacknowledged once the worker is back.
"""

import logging
import queue
import threading
import time
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from contract.topics import ingest_subscriptions
from server.ingest.handler import Incoming, MessageHandler
from server.notify import SystemdNotifier
from server.settings import ServerSettings
from server.store.base import StoreUnavailableError

log = logging.getLogger("kyusui.ingest")


@dataclass(frozen=True, slots=True)
class _Delivery:
    generation: int  # which connection delivered it: a mid is only valid on its connection
    mid: int
    qos: int
    message: Incoming


class IngestWorker:
    def __init__(
        self,
        settings: ServerSettings,
        handler: MessageHandler,
        systemd: SystemdNotifier | None = None,
    ) -> None:
        self.settings = settings
        self.handler = handler
        self.systemd = systemd or SystemdNotifier()
        self.subscribed = threading.Event()
        self.stopping = threading.Event()
        self._generation = 0
        self._inbox: queue.Queue[_Delivery] = queue.Queue()
        fixed_id = settings.ingest_client_id is not None
        client_id = settings.ingest_client_id or f"ingest-{time.time_ns()}"
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        # A fresh id starts clean once; every later connect resumes the session.
        self._clean_start = not fixed_id
        self.client.username_pw_set(
            settings.broker_username, settings.broker_password.get_secret_value()
        )
        if settings.broker_ca_file is not None:
            self.client.tls_set(ca_certs=str(settings.broker_ca_file))
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 30)
        self._processor = threading.Thread(target=self._process, name="ingest", daemon=True)

    def _connect_properties(self) -> Properties:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self.settings.ingest_session_expiry_s
        # Enough unacknowledged messages in flight to fill a batch twice over.
        props.ReceiveMaximum = min(65_535, self.settings.ingest_batch_size * 2)
        return props

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
        self._generation += 1
        log.info("connected (session present: %s)", flags.session_present)
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
            self.systemd.ready("subscribed")

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        incoming = Incoming(msg.topic, bytes(msg.payload), time.time_ns() // 1_000_000)
        self._inbox.put(_Delivery(self._generation, msg.mid, msg.qos, incoming))

    def _next_batch(self) -> list[_Delivery]:
        try:
            first = self._inbox.get(timeout=0.5)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.settings.ingest_batch_wait_s
        while len(batch) < self.settings.ingest_batch_size:
            try:
                batch.append(self._inbox.get_nowait())
            except queue.Empty:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    batch.append(self._inbox.get(timeout=left))
                except queue.Empty:
                    break
        return batch

    def _process(self) -> None:
        while not self.stopping.is_set():
            self.systemd.watchdog()  # a hung processor stops the pings and gets restarted
            batch = self._next_batch()
            # Deliveries of an earlier connection are resent by the broker on this one.
            batch = [d for d in batch if d.generation == self._generation]
            if not batch:
                continue
            try:
                self.handler.handle_batch([d.message for d in batch])
            except StoreUnavailableError as exc:
                self.handler.metrics.store_failures.inc()
                self._wait_for_store(str(exc))
                continue
            except Exception:
                # A bug must not turn into an acknowledged loss: hold back like a store outage.
                log.exception("unexpected error while handling a batch; holding it back")
                self._wait_for_store("unexpected error")
                continue
            for d in batch:
                if d.qos > 0 and d.generation == self._generation:
                    self.client.ack(d.mid, d.qos)

    def _wait_for_store(self, why: str) -> None:
        """Stop taking messages, wait until the store answers, then take them again."""
        log.error("store unavailable, acknowledging nothing until it is back: %s", why)
        self.handler.metrics.paused.set(1)
        self.client.disconnect()
        self.client.loop_stop()
        self.systemd.status(f"waiting for the store: {why}"[:200])
        while not self.stopping.wait(self.settings.ingest_retry_s):
            self.systemd.watchdog()
            try:
                self.handler.store.ping()
            except StoreUnavailableError as exc:
                log.warning("store still unavailable: %s", exc)
                continue
            break
        # Whatever is still queued came over the old connection; the broker resends it.
        while not self._inbox.empty():
            self._inbox.get_nowait()
        if self.stopping.is_set():
            return
        log.info("store is back; reconnecting")
        self.handler.metrics.paused.set(0)
        self.systemd.status("store is back")
        self._start_client()

    def _start_client(self) -> None:
        s = self.settings
        self.client.connect_async(
            s.broker_host,
            s.broker_port,
            keepalive=30,
            clean_start=self._clean_start,
            properties=self._connect_properties(),
        )
        self._clean_start = False
        self.client.loop_start()

    def start(self) -> None:
        self._start_client()
        self._processor.start()

    def stop(self) -> None:
        self.stopping.set()
        self._processor.join(timeout=30)
        self.client.disconnect()
        self.client.loop_stop()
