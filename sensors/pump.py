"""Moving the outbox to the broker: in order, in batches, a bounded window in flight,
rows deleted only when their message is acknowledged.

Readings still waiting for the clock (unsynchronised, this boot, younger than the hold
time) stop the pump, so nothing overtakes them and no guessed time is sent while the
clock may still come right.
"""

import json
import logging
from collections.abc import Callable
from typing import Any

from contract.messages import TimeSource
from sensors.outbox import Outbox, OutboxRow

log = logging.getLogger("kyusui.agent.pump")
DENIED_PAUSE_MS = 30_000


class OutboxPump:
    def __init__(
        self,
        outbox: Outbox,
        publish: Callable[[bytes], int],
        session: int,
        batch_size: int = 200,
        window: int = 8,
        unsynced_hold_ms: int = 600_000,
    ) -> None:
        self.outbox = outbox
        self.publish = publish
        self.session = session
        self.batch_size = batch_size
        self.window = window
        self.unsynced_hold_ms = unsynced_hold_ms
        self.seq = 0
        self.inflight: dict[int, tuple[int, int, int]] = {}  # mid → (first id, last id, count)
        self.cursor = 0  # the last row id handed to the broker
        self.denied = 0
        self._paused_until = 0
        self._resending = False

    def reconnected(self) -> None:
        """Paho resends what was in flight right after it reconnects; nothing new may go
        out before those have been acknowledged, or readings would arrive out of order."""
        self._resending = bool(self.inflight)

    def _held(self, row: OutboxRow, boot_id: str, now_mono_ms: int) -> bool:
        return (
            row.time_source == TimeSource.UNSYNCED.value
            and row.boot_id == boot_id
            and now_mono_ms - row.mono_ms < self.unsynced_hold_ms
        )

    def encode(self, rows: list[OutboxRow]) -> bytes:
        return self.encode_readings([r.reading() for r in rows])

    def encode_readings(self, values: list[dict[str, Any]]) -> bytes:
        self.seq += 1
        readings = ",".join(
            json.dumps(v, separators=(",", ":"), ensure_ascii=False) for v in values
        )
        return (
            f'{{"v":1,"session":{self.session},"seq":{self.seq},"readings":[{readings}]}}'
        ).encode()

    def pump(self, boot_id: str, now_mono_ms: int) -> int:
        """Publish what may go now (call only while connected); returns messages sent."""
        if now_mono_ms < self._paused_until:
            return 0
        if self._resending:
            if self.inflight:
                return 0
            self._resending = False
        sent = 0
        while len(self.inflight) < self.window:
            rows = self.outbox.batch(self.cursor, self.batch_size)
            if rows and (span := self._in_flight(rows[0].id)) is not None:
                self.cursor = span[1]  # after a refused batch is retried: skip what is out
                continue
            for i, row in enumerate(rows):
                if self._held(row, boot_id, now_mono_ms) or self._in_flight(row.id):
                    rows = rows[:i]
                    break
            if not rows:
                break
            mid = self.publish(self.encode(rows))
            self.inflight[mid] = (rows[0].id, rows[-1].id, len(rows))
            self.cursor = rows[-1].id
            sent += 1
        return sent

    def _in_flight(self, row_id: int) -> tuple[int, int, int] | None:
        for span in self.inflight.values():
            if span[0] <= row_id <= span[1]:
                return span
        return None

    def acked(self, mid: int, ok: bool, now_mono_ms: int) -> bool:
        """Handle a PUBACK; False if ``mid`` was not ours."""
        span = self.inflight.pop(mid, None)
        if span is None:
            return False
        if ok:
            self.outbox.remove_range(*span)
        else:
            # Refused by the broker (ACL, quota): keep the rows, try again later.
            self.outbox.flush()  # what was acknowledged must not be sent again
            self.denied += 1
            self.cursor = min(self.cursor, span[0] - 1)
            self._paused_until = now_mono_ms + DENIED_PAUSE_MS
            log.error(
                "broker refused readings %d–%d; kept, retrying in %d s",
                span[0],
                span[1],
                DENIED_PAUSE_MS // 1000,
            )
        return True
