"""The MQTT side of ingest: one paho client on shared subscriptions, manual acknowledgement.

A message is acknowledged (PUBACK) only after ``MessageHandler.handle_batch`` returned, i.e.
its readings are stored or it is quarantined; then the worker tells each station of the
batch what it stored (``…/stored``, one message per station per batch, QoS 1). Stations
keep what is not confirmed and send it again, so a message the broker drops (no worker
subscribed, a broker restart, a worker gone) or a confirmation that is lost costs a resend.
When the store is down the worker disconnects without acknowledging or confirming.

One thread does the network, batching, decoding and acknowledging, with its own ``select``
around paho's external-loop calls (``server.ingest.client``); a second thread only stores.
A batch is decoded and validated (``MessageHandler.prepare``) on the network thread, then
handed to the store thread (``MessageHandler.store_batch``), and the network thread goes on
reading and decoding the next one while the store works: up to ``WRITES_IN_FLIGHT``
batches are with the store at once, stored one after the other in the order they were read.
Each batch's PUBACKs and confirmations go out from the network thread once its own store
call returned (the store thread wakes it through a pipe), so ack-after-write holds per
batch. Acknowledging from the store thread would cost more: paho's packet queue is the
network thread's.
"""

import contextlib
import logging
import os
import select
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from sdnotify import SystemdNotifier

from contract.topics import ingest_subscriptions
from server.ingest.client import IngestClient
from server.ingest.confirm import Done, confirmations
from server.ingest.handler import Incoming, MessageHandler
from server.settings import ServerSettings
from server.store.base import StoreUnavailableError

log = logging.getLogger("kyusui.ingest")
MAX_BACKOFF_S = 30.0
MAINTAIN_EVERY_S = 60.0
# Batches with the store thread and not yet acknowledged. Two keep the store busy while
# the next batch is read and decoded; more only add to what a crash makes stations resend.
WRITES_IN_FLIGHT = 2


@dataclass(frozen=True, slots=True)
class InFlight:
    """A batch with the store thread: its store call, and what to acknowledge after it."""

    stored: Future[list[Done]]
    mids: list[int]  # QoS 1 message ids, valid only on the connection that delivered them
    connection: int


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
        self._connected = False
        # (mid, qos, message) received on the current connection and not yet acknowledged.
        self._pending: list[tuple[int, int, Incoming]] = []
        self._first_pending_at = 0.0
        self._inflight: deque[InFlight] = deque()
        self._connection = 0  # counts connections: a PUBACK goes only where its message came
        self._storer = ThreadPoolExecutor(1, thread_name_prefix="ingest-store")
        self._wake_r, self._wake_w = os.pipe()  # the store thread wakes the network thread
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._maintained_at = time.monotonic()
        self.client_id = settings.ingest_mqtt_client_id
        self.client = IngestClient(self.client_id, self._on_publish)
        # Confirmations (one per station per batch) wait in paho for their PUBACK, which
        # the broker sends behind the stream it delivers: hundreds are in flight at a time.
        # No limit: with one, paho scans every message in flight at each PUBACK (measured:
        # 7 % of the worker's time at 720 in flight).
        self.client.max_inflight_messages_set(0)
        self.confirmations_failed = 0
        self.client.username_pw_set(
            settings.broker_username, settings.broker_password.get_secret_value()
        )
        if settings.broker_ca_file is not None:
            self.client.tls_set(ca_certs=str(settings.broker_ca_file))
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_disconnect = self._on_disconnect
        self._thread = threading.Thread(target=self._run, name="ingest", daemon=True)

    def topics(self) -> list[str]:
        """Shared subscriptions, or plain ones when ``ingest_group`` is empty: Mosquitto
        (2.0.11) restores plain subscriptions of a persistent session after a broker restart
        but not shared ones, so a single worker loses nothing across broker restarts."""
        shared = ingest_subscriptions(self.settings.ingest_group or "ingest")
        if self.settings.ingest_group:
            return shared
        return [topic.split("/", 2)[2] for topic in shared]

    def _connect_properties(self) -> Properties:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self.settings.ingest_session_expiry_s
        # Unacknowledged messages: the batches with the store, the one being read, and one
        # more, so the broker never waits for a PUBACK while the worker could read.
        props.ReceiveMaximum = min(65_535, self.settings.ingest_batch_size * (WRITES_IN_FLIGHT + 2))
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
        self._pending.clear()  # message ids are per connection; the broker resends these
        self._connection += 1
        self._connected = True
        log.info("connected as %s (session present: %s)", self.client_id, flags.session_present)
        client.subscribe([(t, 1) for t in self.topics()])

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self._connected = False
        self._connection += 1
        self._pending.clear()

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
            self.systemd.notify("READY=1\nSTATUS=subscribed")

    def _on_publish(self, topic: str, qos: int, mid: int, payload: bytes) -> None:
        if not self._pending:
            self._first_pending_at = time.monotonic()
        self._pending.append((mid, qos, Incoming(topic, payload, time.time_ns() // 1_000_000)))

    def _connect(self, backoff_s: float) -> float:
        """Try to connect once; returns the back-off to use if it failed."""
        s = self.settings
        try:
            self.client.connect(
                s.broker_host,
                s.broker_port,
                keepalive=30,
                clean_start=False,  # resume a session this id left, if the broker kept one
                properties=self._connect_properties(),
            )
        except OSError as exc:
            log.warning("broker unreachable (%s); retrying in %.0f s", exc, backoff_s)
            self.stopping.wait(backoff_s)
            return min(backoff_s * 2, MAX_BACKOFF_S)
        return 1.0

    def _run(self) -> None:
        backoff_s = 1.0
        socket_open = False
        while not self.stopping.is_set():
            self.systemd.notify("WATCHDOG=1")  # a hung loop stops the pings and gets restarted
            if not socket_open:
                backoff_s = self._connect(backoff_s)
                socket_open = self.client.socket() is not None
                continue
            rc = self._network(self._wait_s())
            if rc not in (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_AGAIN):
                log.warning("connection lost (%s); reconnecting", rc)
                self._connected = False
                self._connection += 1
                self._pending.clear()
                socket_open = False
                self.stopping.wait(backoff_s)
                continue
            if not self._settle():
                socket_open = False
                continue
            self._maintain()
            if self._pending and (
                len(self._pending) >= self.settings.ingest_batch_size
                or time.monotonic() - self._first_pending_at >= self.settings.ingest_batch_wait_s
            ):
                socket_open = self._flush()
        while self._inflight and self._settle(block=True):
            pass  # what the store has is stored and acknowledged before leaving
        if socket_open:
            self.client.disconnect()
        self._storer.shutdown()
        self._maintain(force=True)
        os.close(self._wake_r)
        os.close(self._wake_w)

    def _maintain(self, force: bool = False) -> None:
        """The store's housekeeping (rollups), about once a minute and at stop, while the
        store thread has nothing (rollups are marked by its writes)."""
        now = time.monotonic()
        if not force and (now - self._maintained_at < MAINTAIN_EVERY_S or self._inflight):
            return
        self._maintained_at = now
        try:
            self.handler.store.maintain()
        except StoreUnavailableError as exc:
            log.warning("store housekeeping failed; trying again later: %s", exc)

    def _wait_s(self) -> float:
        """How long the next select may wait: until the pending batch is due, at most 50 ms."""
        if not self._pending:
            return 0.05
        due = self._first_pending_at + self.settings.ingest_batch_wait_s - time.monotonic()
        return min(0.05, max(0.0, due))

    def _network(self, timeout: float) -> MQTTErrorCode:
        """One round of paho's external loop: wait for the socket, read every packet that
        is there (up to a full batch), write what is queued, keep the connection alive."""
        client, sock = self.client, self.client.socket()
        if sock is None:
            return MQTTErrorCode.MQTT_ERR_NO_CONN
        buffered = client.buffered()
        if buffered:
            timeout = 0.0
        try:
            fd = sock.fileno()
            waits = [fd, self._wake_r] if self._inflight else [fd]
            readable, writable, _ = select.select(
                waits, [fd] if client.want_write() else [], [], timeout
            )
        except (OSError, ValueError):
            return MQTTErrorCode.MQTT_ERR_CONN_LOST
        if self._wake_r in readable:
            self._drain_wake()
        if fd in readable or buffered:
            limit = self.settings.ingest_batch_size
            rc = client.read_while(lambda: len(self._pending) < limit)
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                return rc
        if writable or client.want_write():
            rc = client.loop_write()
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                return rc
        return client.loop_misc()

    def _drain_wake(self) -> None:
        with contextlib.suppress(BlockingIOError):
            os.read(self._wake_r, 4096)

    def _wake(self, _: object) -> None:
        with contextlib.suppress(BlockingIOError):  # full: it will wake anyway
            os.write(self._wake_w, b"s")

    def _flush(self) -> bool:
        """Decode the pending batch and hand it to the store thread (after the oldest
        batch there is done, if it has ``WRITES_IN_FLIGHT``); False if the connection
        was dropped."""
        batch, self._pending = self._pending, []
        try:
            prepared = self.handler.prepare([message for _, _, message in batch])
        except Exception:
            # A bug must not turn into an acknowledged loss: hold back like a store outage.
            log.exception("unexpected error while decoding a batch; holding it back")
            self._abandon()
            self._wait_for_store("unexpected error")
            return False
        while len(self._inflight) >= WRITES_IN_FLIGHT:
            if not self._settle(block=True):
                return False
        stored = self._storer.submit(self.handler.store_batch, prepared)
        stored.add_done_callback(self._wake)
        mids = [mid for mid, qos, _ in batch if qos > 0]
        self._inflight.append(InFlight(stored, mids, self._connection))
        return True

    def _settle(self, block: bool = False) -> bool:
        """Acknowledge and confirm the batches the store thread is done with, oldest first
        (waiting for the oldest if ``block``); False if a store call failed, and then the
        worker has waited for the store and dropped the connection."""
        while self._inflight and (block or self._inflight[0].stored.done()):
            block = False
            head = self._inflight.popleft()
            try:
                done = head.stored.result()
            except StoreUnavailableError as exc:
                self.handler.metrics.store_failures.inc()
                self._abandon()
                self._wait_for_store(str(exc))
                return False
            except Exception:
                log.exception("unexpected error while storing a batch; holding it back")
                self._abandon()
                self._wait_for_store("unexpected error")
                return False
            if head.connection == self._connection:
                self.client.ack_all(head.mids)
            if self.settings.ingest_confirm_stored:
                self._confirm(done)  # stored, whichever connection brought it
        return True

    def _abandon(self) -> None:
        """After a failed store call: let the store thread finish what it has and
        acknowledge none of it. The broker or the stations send it all again, and
        writing it twice changes nothing."""
        while self._inflight:
            self._inflight.popleft().stored.exception()  # waits; whatever happened

    def _confirm(self, done: list[Done]) -> None:
        """Tell the stations what this batch stored. A confirmation that cannot go out is
        only logged: its station sends those messages again."""
        for topic, payload in confirmations(done):
            info = self.client.publish(topic, payload, qos=1)
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                self.confirmations_failed += 1
                failed = self.confirmations_failed
                self.handler.metrics.confirmations_failed.inc()
                if failed in (1, 10, 100) or failed % 1000 == 0:
                    log.warning(
                        "could not confirm to %s (%s); it will send again (%d so far)",
                        topic,
                        info.rc,
                        failed,
                    )
            else:
                self.handler.metrics.confirmations.inc()

    def _wait_for_store(self, why: str) -> None:
        """Take nothing more and acknowledge nothing until the store answers again."""
        log.error("store unavailable, acknowledging nothing until it is back: %s", why)
        self.handler.metrics.paused.set(1)
        self.systemd.notify(f"STATUS=waiting for the store: {why}"[:200])
        self.client.disconnect()
        self._connected = False
        while not self.stopping.wait(self.settings.ingest_retry_s):
            self.systemd.notify("WATCHDOG=1")
            try:
                self.handler.store.ping()
            except StoreUnavailableError as exc:
                log.warning("store still unavailable: %s", exc)
                continue
            log.info("store is back; reconnecting")
            break
        self.handler.metrics.paused.set(0)
        self.systemd.notify("STATUS=store is back")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._thread.join(timeout=30)
