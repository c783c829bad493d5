"""A link with no broker, as gpiozero's mock pins are GPIO with no board: it records what the
agent publishes and acknowledges it as a broker would, and lets its owner deliver messages
and take the connection down and up.

Every change (a publish, a connection) wakes whoever waits in ``wait_for``, so a test waits
for what the agent does, not for a while.
"""

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from contract.messages import Status
from sensors.uplink.link import Incoming


@dataclass(frozen=True, slots=True)
class Published:
    mid: int
    topic: str
    payload: bytes
    retain: bool
    correlation: bytes | None


# What the far side sends back for a message published (a server confirming it stored).
Responder = Callable[[Published], Iterable[tuple[str, bytes]]]


class FakeLink:
    """The ``Link`` of a station whose broker is its owner."""

    def __init__(
        self, online: bool = True, acknowledge: bool = True, respond: Responder | None = None
    ) -> None:
        self.online_at_start = online
        self.acknowledge = acknowledge  # False: the broker takes messages and never says so
        self.respond = respond
        self.birth_ts = 0
        self.connected = False
        self.connections = 0
        self.subscribed = threading.Event()
        self.session = 0
        self.stopped: Status | None = None
        self._published: list[Published] = []
        self._unacked: list[int] = []  # published while offline: acknowledged on connecting
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._acks: queue.SimpleQueue[tuple[int, bool]] = queue.SimpleQueue()
        self._incoming: queue.SimpleQueue[tuple[Incoming, threading.Event]] = queue.SimpleQueue()

    # --- the agent's side ---------------------------------------------------------------
    def start(self, session: int, wake: threading.Event) -> None:
        self.session, self._wake = session, wake
        if self.online_at_start:
            self.connect()

    def publish(
        self, topic: str, payload: bytes, retain: bool = False, correlation: bytes | None = None
    ) -> int:
        with self._changed:
            mid = len(self._published) + 1
            sent = Published(mid, topic, payload, retain, correlation)
            self._published.append(sent)
            if self.connected:
                self._ack(mid)
            else:
                self._unacked.append(mid)
            self._changed.notify_all()
        for answer in self.respond(sent) if self.respond is not None else ():
            self._incoming.put((Incoming(*answer, None), threading.Event()))
        self._wake.set()
        return mid

    def acks(self) -> Iterator[tuple[int, bool]]:
        while not self._acks.empty():
            yield self._acks.get()

    def messages(self) -> Iterator[Incoming]:
        while True:
            try:
                message, handled = self._incoming.get_nowait()
            except queue.Empty:
                return
            yield message
            handled.set()  # asked for the next one: this one has been handled

    def stop(self, offline: Status) -> None:
        with self._changed:
            self.stopped = offline if self.connected else None  # said only to a broker
            self.connected = False
            self.subscribed.clear()
            self._changed.notify_all()

    def _ack(self, mid: int) -> None:
        if self.acknowledge:
            self._acks.put((mid, True))

    # --- the owner's side: the broker and the server ------------------------------------
    def connect(self) -> None:
        with self._changed:
            self.connections += 1  # before ``connected``, as the real link does
            self.connected = True
            self.subscribed.set()
            for mid in self._unacked:
                self._ack(mid)
            self._unacked.clear()
            self._changed.notify_all()
        self._wake.set()

    def disconnect(self) -> None:
        with self._changed:
            self.connected = False
            self.subscribed.clear()
            self._changed.notify_all()
        self._wake.set()

    def deliver(
        self, topic: str, payload: bytes, correlation: bytes | None = None, timeout_s: float = 10.0
    ) -> None:
        """Hand the agent a message as the broker would; returns once the agent handled it."""
        handled = threading.Event()
        self._incoming.put((Incoming(topic, payload, correlation), handled))
        self._wake.set()
        if not handled.wait(timeout_s):
            raise TimeoutError(f"the agent did not handle a message on {topic} in {timeout_s} s")

    def published(self, topic: str | None = None) -> list[Published]:
        """What the agent published so far, on ``topic`` or on every topic, in order."""
        with self._changed:
            return [p for p in self._published if topic is None or p.topic == topic]

    def wait_for(self, check: Callable[[], bool], timeout_s: float = 10.0) -> bool:
        """Wait until ``check`` is true, asking again at every publish and connection change."""
        with self._changed:
            return self._changed.wait_for(check, timeout_s)
