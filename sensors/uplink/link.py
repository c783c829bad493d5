"""What the agent needs of its connection to the broker: publish, PUBACKs, what arrives,
the connection's state, a start and a clean stop.

``MqttLink`` (``uplink/mqtt.py``) is the real one; ``FakeLink`` (``uplink/fakelink.py``)
stands in for it without a broker, as gpiozero's mock pins stand in for the GPIO.
"""

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from contract.messages import Status


@dataclass(frozen=True, slots=True)
class Incoming:
    topic: str
    payload: bytes
    correlation: bytes | None


class Link(Protocol):
    # The birth message's time; the main loop keeps it current, the link reads it at connect.
    birth_ts: int

    @property
    def connected(self) -> bool: ...

    @property
    def connections(self) -> int:
        """Connections made so far: a change means the link reconnected. Counted before
        ``connected`` is set, so read ``connected`` first."""

    @property
    def subscribed(self) -> threading.Event:
        """Set while the broker has granted this connection's subscriptions."""

    def start(self, session: int, wake: threading.Event) -> None:
        """Connect in the background for ``session`` (its birth and will); ``wake`` is set
        whenever something arrives or the connection changes."""

    def publish(
        self, topic: str, payload: bytes, retain: bool = False, correlation: bytes | None = None
    ) -> int:
        """Queue a QoS 1 message; returns its mid, which its PUBACK names."""

    def acks(self) -> Iterator[tuple[int, bool]]:
        """The PUBACKs (mid, accepted) that arrived since last asked."""

    def messages(self) -> Iterator[Incoming]:
        """The messages that arrived since last asked, each handled before the next is
        asked for."""

    def stop(self, offline: Status) -> None:
        """Publish the clean offline status (when connected) and disconnect."""
