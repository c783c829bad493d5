"""The two MQTT v5 packets on ingest's hot path, as bytes: an incoming PUBLISH and PUBACK.

Pure functions (MQTT 5.0 §3.3 and §3.4); ``server.ingest.client`` uses them in place of
paho's general decoder, which builds a ``Properties`` object and an ``MQTTMessage`` for
every message. Ingest reads no property of a station's message, so they are skipped.
"""

import struct

PUBACK = 0x40
_PUBACK = struct.Struct("!BBH")


class MalformedPublishError(ValueError):
    """A PUBLISH whose variable header does not fit its length."""


def publish_fields(packet: bytes | bytearray, qos: int) -> tuple[str, int, bytes]:
    """(topic, packet id, payload) of a PUBLISH's variable header and payload.

    Topic aliases are not taken apart: ingest never announces a Topic Alias Maximum, so
    the broker may not use them (§3.3.2.3.4), and an empty topic is malformed here.
    """
    try:
        length = (packet[0] << 8) | packet[1]
        pos = 2 + length
        if length == 0 or pos > len(packet):
            raise MalformedPublishError("PUBLISH without a topic")
        topic = packet[2:pos].decode("utf-8")
        mid = 0
        if qos:
            mid = (packet[pos] << 8) | packet[pos + 1]
            pos += 2
        # Property length: a variable byte integer of one to four bytes.
        skip, shift = 0, 0
        while True:
            byte = packet[pos]
            pos += 1
            skip |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
            if shift > 21:
                raise MalformedPublishError("property length longer than four bytes")
    except (IndexError, UnicodeDecodeError) as exc:
        raise MalformedPublishError(f"PUBLISH cut short or not UTF-8: {exc}") from None
    pos += skip
    if pos > len(packet):
        raise MalformedPublishError("properties longer than the packet")
    payload = packet[pos:]
    return topic, mid, payload if isinstance(payload, bytes) else bytes(payload)


def pubacks(mids: list[int]) -> bytes:
    """PUBACK packets for ``mids``, back to back: success, no properties (Remaining
    Length 2, §3.4.2.1), exactly what paho sends for one."""
    return b"".join([_PUBACK.pack(PUBACK, 2, mid) for mid in mids])
