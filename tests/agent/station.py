"""A station agent on a fake link: no broker; the test plays the broker and the server,
delivering messages and reading what the agent published."""

import json
from typing import Any

from contract.codec import encode
from contract.stored import ConfirmedTopic, messages_for
from contract.topics import stored_topic
from sensors.uplink.fakelink import FakeLink, Published
from tests.agent.conftest import STATION

PREFIX = f"kyusui/v1/st/{STATION}/"


def stored_confirmations(sent: Published) -> list[tuple[str, bytes]]:
    """What an ingest worker answers once it stored a telemetry or receipts message."""
    kind = sent.topic.removeprefix(PREFIX)
    if not sent.topic.startswith(PREFIX) or kind not in {t.value for t in ConfirmedTopic}:
        return []
    message = json.loads(sent.payload)
    done = [(ConfirmedTopic(kind), message["session"], message["seq"])]
    return [(stored_topic(STATION), encode(stored)) for stored in messages_for(done)]


def served_link(online: bool = True) -> FakeLink:
    """A link whose server stores, and confirms, everything the station sends."""
    return FakeLink(online=online, respond=stored_confirmations)


def payloads(link: FakeLink, kind: str) -> list[dict[str, Any]]:
    """What the agent published on its own ``kind`` topic, decoded, in order."""
    return [json.loads(p.payload) for p in link.published(PREFIX + kind) if p.payload]


def readings(link: FakeLink) -> list[dict[str, Any]]:
    return [r for m in payloads(link, "telemetry") for r in m["readings"]]


def last_health(link: FakeLink) -> dict[str, Any]:
    healths = payloads(link, "health")
    return healths[-1] if healths else {}
