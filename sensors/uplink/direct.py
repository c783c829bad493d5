"""Readings the outbox could not take (a full disk), sent straight from memory.

They wait in memory (bounded, oldest dropped first) until the link is up and then go in
one message. Nothing keeps them across a restart: the disk had no room for them.
"""

from collections import deque
from collections.abc import Callable
from typing import Any


class DirectSender:
    def __init__(
        self,
        encode: Callable[[list[dict[str, Any]]], bytes],
        publish: Callable[[bytes], int],
        capacity: int = 1000,
    ) -> None:
        self.encode = encode
        self.publish = publish
        self.pending: deque[dict[str, Any]] = deque(maxlen=capacity)
        self.inflight: set[int] = set()

    @property
    def busy(self) -> bool:
        return bool(self.pending or self.inflight)

    def add(self, values: dict[str, Any]) -> None:
        self.pending.append(values)

    def send(self) -> None:
        """Publish what waits (call only while connected)."""
        if self.pending:
            self.inflight.add(self.publish(self.encode(list(self.pending))))
            self.pending.clear()

    def acked(self, mid: int) -> bool:
        """Forget an acknowledged message; False if ``mid`` was not ours."""
        if mid in self.inflight:
            self.inflight.discard(mid)
            return True
        return False
