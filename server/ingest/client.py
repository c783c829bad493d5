"""paho-mqtt driven for ingest's throughput (docs/server.md, "What limits one worker").

paho keeps what it is good at — connecting, TLS, sessions, subscribing, keep-alive,
publishing the stored confirmations and their PUBACKs — and three things on the hot path
are done differently, each measured on ``bench/ingest.py``'s stream:

- **Reads in 64 KiB chunks.** paho reads a packet with three or four ``recv`` calls (the
  command byte, each byte of the length, the rest); this client hands paho its bytes from a
  buffer filled by one ``recv`` of up to 64 KiB, which holds a few hundred messages.
- **A PUBLISH is taken apart by ``server.ingest.wire``**, straight from that buffer, and
  handed to ``on_publish_bytes`` as (topic, qos, packet id, payload): paho's decoder
  builds a ``Properties`` object, an ``MQTTMessage`` and a topic match per message, about
  half the worker's time, and paho's reader, even from a buffer, three or four calls and
  a dict of state per packet (another tenth). Other packets still go through paho.
- **A batch's PUBACKs go out as one write** (``ack_all``) instead of one queued packet,
  and one ``send``, each.

The worker drives it with its own ``select`` and ``loop_read``/``loop_write``/``loop_misc``
(paho's external-loop interface), never ``loop()``, whose wake-up socket pair costs a
system call per packet queued. The overridden methods are paho's internals: the version is
pinned in pyproject.toml and tests/server/test_ingest_client.py checks them.
"""

from collections.abc import Callable, Iterable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.exception import MalformedPacket

from server.ingest.wire import (
    PUBACK,
    PUBLISH,
    MalformedPublishError,
    complete_packet,
    pubacks,
    publish_fields,
)

READ_CHUNK = 64 * 1024
# (topic, qos, packet id, payload) of one PUBLISH.
PublishSink = Callable[[str, int, int, bytes], None]


class IngestClient(mqtt.Client):
    def __init__(self, client_id: str, sink: PublishSink) -> None:
        super().__init__(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        self.on_publish_bytes = sink
        self._read_buffer = b""
        self._read_pos = 0

    # -- reading ---------------------------------------------------------------------

    def reconnect(self) -> MQTTErrorCode:
        self._read_buffer, self._read_pos = b"", 0  # bytes of an old connection mean nothing
        return super().reconnect()

    def _sock_recv(self, bufsize: int) -> bytes:
        buffer, pos = self._read_buffer, self._read_pos
        if pos >= len(buffer):
            buffer = super()._sock_recv(READ_CHUNK)  # BlockingIOError when there is nothing
            if not buffer:
                return buffer  # the broker closed the connection
            pos = 0
        end = min(pos + bufsize, len(buffer))
        self._read_buffer, self._read_pos = buffer, end
        return buffer[pos:end]

    def buffered(self) -> bool:
        """Bytes already read (or decrypted) that ``select`` would not report."""
        if self._read_pos < len(self._read_buffer):
            return True
        pending = getattr(self._sock, "pending", None)  # TLS: decrypted, not yet taken
        return bool(pending is not None and pending())

    def read_while(self, more: Callable[[], bool]) -> MQTTErrorCode:
        """Handle incoming packets while ``more()`` and bytes are there, without waiting.

        A QoS 0 or 1 PUBLISH whole in the buffer is taken apart here and handed over;
        anything else (PUBACKs of the confirmations, SUBACK, PINGRESP, a packet cut by the
        end of a read) goes through paho's own reader, which reads from the same buffer."""
        handed = False
        try:
            while more():
                if self._sock is None:
                    return MQTTErrorCode.MQTT_ERR_NO_CONN
                if self._in_packet["command"] == 0:  # paho is between packets
                    if self._read_pos >= len(self._read_buffer):
                        try:
                            chunk = super()._sock_recv(READ_CHUNK)
                        except BlockingIOError:
                            return MQTTErrorCode.MQTT_ERR_SUCCESS
                        except OSError:
                            return self._loop_rc_handle(MQTTErrorCode.MQTT_ERR_CONN_LOST)
                        if not chunk:  # the broker closed the connection
                            return self._loop_rc_handle(MQTTErrorCode.MQTT_ERR_CONN_LOST)
                        self._read_buffer, self._read_pos = chunk, 0
                    found = complete_packet(self._read_buffer, self._read_pos)
                    # A PUBLISH of QoS 0 or 1: 0x30, DUP 0x08, QoS 0x02, RETAIN 0x01.
                    if found is not None and found[0] & 0xF4 == PUBLISH:
                        header, start, end = found
                        self._read_pos = end
                        qos = (header >> 1) & 1
                        try:
                            topic, mid, payload = publish_fields(self._read_buffer, qos, start, end)
                        except MalformedPublishError:
                            return self._loop_rc_handle(MQTTErrorCode.MQTT_ERR_PROTOCOL)
                        handed = True
                        self.on_publish_bytes(topic, qos, mid, payload)
                        continue
                rc = self._packet_read()
                if rc == MQTTErrorCode.MQTT_ERR_AGAIN:
                    return MQTTErrorCode.MQTT_ERR_SUCCESS
                if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                    return self._loop_rc_handle(rc)
            return MQTTErrorCode.MQTT_ERR_SUCCESS
        finally:
            if handed:  # what paho's keep-alive reads (it would set it per packet)
                with self._msgtime_mutex:
                    self._last_bytes_received = mqtt.time_func()

    def _handle_publish(self) -> MQTTErrorCode:
        header = self._in_packet["command"]
        qos = (header & 0x06) >> 1
        if qos > 1:  # never on ingest's QoS 1 subscriptions; paho's own path, just in case
            return super()._handle_publish()
        try:
            topic, mid, payload = publish_fields(self._in_packet["packet"], qos)
        except MalformedPublishError as exc:
            raise MalformedPacket(str(exc)) from None  # paho drops the connection
        self.on_publish_bytes(topic, qos, mid, payload)
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    # -- acknowledging ---------------------------------------------------------------

    def ack_all(self, mids: Iterable[int]) -> MQTTErrorCode:
        """PUBACK every message id in one packet write (paho sends each alone)."""
        blob = pubacks(list(mids))
        if not blob:
            return MQTTErrorCode.MQTT_ERR_SUCCESS
        return self._packet_queue(PUBACK, blob, 0, 0)
