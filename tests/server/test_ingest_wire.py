"""The PUBLISH and PUBACK bytes ingest handles itself, against MQTT 5.0 as written."""

import contextlib
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.ingest.wire import MalformedPublishError, pubacks, publish_fields


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def publish_body(topic: str, mid: int | None, properties: bytes, payload: bytes) -> bytes:
    """A PUBLISH after its fixed header: topic, packet id (QoS > 0), properties, payload."""
    name = topic.encode()
    head = struct.pack("!H", len(name)) + name
    if mid is not None:
        head += struct.pack("!H", mid)
    return head + varint(len(properties)) + properties + payload


# Message Expiry Interval, Content Type and a User Property, as a station's client may send.
PROPERTIES = (
    b"\x02\x00\x00\x0e\x10" + b"\x03\x00\x10application/json" + b"\x26\x00\x03app\x00\x06kyusui"
)


@given(
    topic=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1),
    mid=st.integers(1, 65_535),
    properties=st.sampled_from([b"", PROPERTIES, b"\x01\x01" * 100]),
    payload=st.binary(max_size=2000),
)
def test_a_qos1_publish_gives_its_topic_id_and_payload_whatever_its_properties(
    topic: str, mid: int, properties: bytes, payload: bytes
) -> None:
    body = publish_body(topic, mid, properties, payload)
    assert publish_fields(body, 1) == (topic, mid, payload)
    assert publish_fields(bytearray(body), 1) == (topic, mid, payload)


def test_a_qos0_publish_has_no_packet_id() -> None:
    body = publish_body("kyusui/v1/st/a/telemetry", None, b"", b'{"v":1}')
    assert publish_fields(body, 0) == ("kyusui/v1/st/a/telemetry", 0, b'{"v":1}')


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00",
        b"\x00\x00\x00\x01\x00",  # no topic (an alias ingest never allowed)
        b"\x00\x05abc",  # topic longer than the packet
        b"\x00\x01a\x00",  # packet id cut short
        b"\x00\x01a\x00\x01",  # no property length
        b"\x00\x01a\x00\x01\x05\x01",  # properties longer than the packet
        b"\x00\x01a\x00\x01\xff\xff\xff\xff\x01",  # property length of five bytes
        b"\x00\x02\xff\xfe\x00\x01\x00",  # topic not UTF-8
    ],
)
def test_a_malformed_publish_is_refused_as_such(body: bytes) -> None:
    with pytest.raises(MalformedPublishError):
        publish_fields(body, 1)


@given(st.binary(max_size=64))
def test_no_bytes_make_the_decoder_fail_otherwise(body: bytes) -> None:
    with contextlib.suppress(MalformedPublishError):
        publish_fields(body, 1)


def test_pubacks_are_back_to_back_success_acknowledgements() -> None:
    assert pubacks([1, 258, 65_535]) == b"\x40\x02\x00\x01\x40\x02\x01\x02\x40\x02\xff\xff"
    assert pubacks([]) == b""
