"""The two MQTT v5 packets on ingest's hot path, as bytes: an incoming PUBLISH and PUBACK.

Pure functions (MQTT 5.0 §3.3 and §3.4); ``server.ingest.client`` uses them in place of
paho's general decoder, which builds a ``Properties`` object and an ``MQTTMessage`` for
every message. Ingest reads no property of a station's message, so they are skipped.
"""

import struct

PUBLISH = 0x30
PUBACK = 0x40
_PUBACK = struct.Struct("!BBH")


class MalformedPublishError(ValueError):
    """A PUBLISH whose variable header does not fit its length."""


def publish_fields(
    packet: bytes | bytearray, qos: int, start: int = 0, end: int | None = None
) -> tuple[str, int, bytes]:
    """(topic, packet id, payload) of a PUBLISH's variable header and payload, which are
    ``packet[start:end]`` (a read buffer holds many packets; nothing is copied twice).

    Topic aliases are not taken apart: ingest never announces a Topic Alias Maximum, so
    the broker may not use them (§3.3.2.3.4), and an empty topic is malformed here.
    """
    end = len(packet) if end is None else end
    try:
        if start + 2 > end:
            raise IndexError("no topic length")
        length = (packet[start] << 8) | packet[start + 1]
        pos = start + 2 + length
        if length == 0 or pos > end:
            raise MalformedPublishError("PUBLISH without a topic")
        topic = packet[start + 2 : pos].decode("utf-8")
        mid = 0
        if qos:
            if pos + 2 > end:
                raise IndexError("no packet id")
            mid = (packet[pos] << 8) | packet[pos + 1]
            pos += 2
        # Property length: a variable byte integer of one to four bytes.
        skip, shift = 0, 0
        while True:
            if pos >= end:
                raise IndexError("no property length")
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
    if pos > end:
        raise MalformedPublishError("properties longer than the packet")
    payload = packet[pos:end]
    return topic, mid, payload if isinstance(payload, bytes) else bytes(payload)


def pubacks(mids: list[int]) -> bytes:
    """PUBACK packets for ``mids``, back to back: success, no properties (Remaining
    Length 2, §3.4.2.1), exactly what paho sends for one."""
    return b"".join([_PUBACK.pack(PUBACK, 2, mid) for mid in mids])


def complete_packet(buffer: bytes, pos: int) -> tuple[int, int, int] | None:
    """(first byte, start, end of the rest) of the packet at ``buffer[pos]`` if all of it
    is there (§2.1.4: one to four bytes of Remaining Length), else None."""
    n, i, length, shift = len(buffer), pos + 1, 0, 0
    while True:
        if i >= n or shift > 21:
            return None  # cut short, or a length paho will refuse
        byte = buffer[i]
        i += 1
        length |= (byte & 0x7F) << shift
        if byte < 0x80:
            break
        shift += 7
    if i + length > n:
        return None
    return buffer[pos], i, i + length
