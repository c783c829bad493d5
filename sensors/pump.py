"""Moving the outbox to the server: in order, in batches, a bounded window unconfirmed,
rows deleted only when the server confirms them stored (``…/stored``).

A message counts against the window from its publish until the server confirms it: a
PUBACK only says the broker has it. When the oldest message has waited
``resend_after_ms`` since its PUBACK without a confirmation (no worker subscribed, a
broker that lost it, a stuck worker), everything unconfirmed is sent again from the
oldest row, in order, under new ``seq`` numbers, with the same window: a recovering
server gets at most ``window`` messages per station at a time.

Readings still waiting for the clock (unsynchronised, this boot, younger than the hold
time) stop the pump, so nothing overtakes them and no guessed time is sent while the
clock may still come right.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract.codec import decode
from contract.errors import ContractError
from contract.messages import TimeSource
from contract.stored import ConfirmedTopic, Stored, covered
from sensors.outbox import Outbox, OutboxRow

log = logging.getLogger("kyusui.agent.pump")
DENIED_PAUSE_MS = 30_000
# Messages of earlier rounds whose confirmation may still come, at most (32 rounds of a
# full window: a few MB at most on a Pi; older copies' rows simply go again).
MAX_SUPERSEDED = 256


@dataclass(slots=True)
class Sent:
    """One telemetry message of this session: the outbox rows it carried."""

    ids: tuple[int, ...]
    acked_ms: int | None = None  # when the broker acknowledged it

    @property
    def first(self) -> int:
        return self.ids[0]

    @property
    def last(self) -> int:
        return self.ids[-1]


class OutboxPump:
    def __init__(
        self,
        outbox: Outbox,
        publish: Callable[[bytes], int],
        session: int,
        batch_size: int = 200,
        window: int = 8,
        unsynced_hold_ms: int = 600_000,
        resend_after_ms: int = 30_000,
    ) -> None:
        self.outbox = outbox
        self.publish = publish
        self.session = session
        self.batch_size = batch_size
        self.window = window
        self.unsynced_hold_ms = unsynced_hold_ms
        self.resend_after_ms = resend_after_ms
        self.seq = 0
        self.inflight: dict[int, int] = {}  # mid → seq, waiting for the broker's PUBACK
        self.unconfirmed: dict[int, Sent] = {}  # seq → message of the current round
        self.superseded: dict[int, Sent] = {}  # seq → message sent again since
        self._held_ids: set[int] = set()  # rows sent this session and not yet confirmed
        self.cursor = 0  # the last row id handed to the broker
        self.denied = 0
        self.resends = 0  # rounds of sending unconfirmed messages again
        self.confirmed = 0  # rows confirmed stored
        self._paused_until = 0
        self._resending = False

    def reconnected(self) -> None:
        """Paho resends what was in flight right after it reconnects; nothing new may go
        out before those have been acknowledged, or readings would arrive out of order."""
        self._resending = bool(self.inflight)

    @property
    def outstanding(self) -> int:
        """Messages sent and not yet confirmed stored (the window's count)."""
        return len(self.unconfirmed)

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
        self._resend_if_due(now_mono_ms)
        sent = 0
        while len(self.unconfirmed) < self.window:
            rows = self.outbox.batch(self.cursor, self.batch_size)
            if rows and (out := self._out(rows[0].id)) is not None:
                self.cursor = out.last  # after a refused batch is retried: skip what is out
                continue
            for i, row in enumerate(rows):
                if self._held(row, boot_id, now_mono_ms) or self._out(row.id):
                    rows = rows[:i]
                    break
            if not rows:
                break
            mid = self.publish(self.encode(rows))
            message = Sent(tuple(r.id for r in rows))
            self.unconfirmed[self.seq] = message
            self.inflight[mid] = self.seq
            self._held_ids.update(message.ids)
            self.cursor = rows[-1].id
            sent += 1
        return sent

    def _out(self, row_id: int) -> Sent | None:
        for message in self.unconfirmed.values():
            if message.first <= row_id <= message.last:
                return message
        return None

    def _resend_if_due(self, now_mono_ms: int) -> None:
        """Start again from the oldest unconfirmed row once the oldest message has waited
        too long; earlier copies may still be confirmed late, and count then."""
        if self.inflight or not self.unconfirmed:
            return
        oldest = min(
            now_mono_ms if m.acked_ms is None else m.acked_ms for m in self.unconfirmed.values()
        )
        if now_mono_ms - oldest < self.resend_after_ms:
            return
        self.resends += 1
        log.warning(
            "%d messages (rows %d–%d) not confirmed stored after %d s; sending them again",
            len(self.unconfirmed),
            min(m.first for m in self.unconfirmed.values()),
            max(m.last for m in self.unconfirmed.values()),
            self.resend_after_ms // 1000,
        )
        self.superseded |= self.unconfirmed
        self.unconfirmed = {}
        while len(self.superseded) > MAX_SUPERSEDED:
            del self.superseded[next(iter(self.superseded))]
        self._held_ids = {i for i in self._held_ids if i > self.outbox.floor}  # evicted
        self.outbox.flush()  # confirmed rows must not be read again
        self.cursor = 0

    def acked(self, mid: int, ok: bool, now_mono_ms: int) -> bool:
        """Handle a PUBACK; False if ``mid`` was not ours."""
        seq = self.inflight.pop(mid, None)
        if seq is None:
            return False
        message = self.unconfirmed.get(seq)
        if message is None:
            return True  # already confirmed: the server was quicker than the broker's PUBACK
        if ok:
            message.acked_ms = now_mono_ms
        else:
            # Refused by the broker (ACL, quota): keep the rows, try again later.
            del self.unconfirmed[seq]
            self.outbox.flush()  # what was confirmed must not be sent again
            self.denied += 1
            self.cursor = min(self.cursor, message.first - 1)
            self._paused_until = now_mono_ms + DENIED_PAUSE_MS
            log.error(
                "broker refused readings %d–%d; kept, retrying in %d s",
                message.first,
                message.last,
                DENIED_PAUSE_MS // 1000,
            )
        return True

    def confirmation(self, payload: bytes) -> Stored | None:
        """A ``…/stored`` message off the wire, taken for telemetry; one that breaks the
        contract is logged and ignored (None)."""
        try:
            stored = decode(Stored, payload)
        except ContractError as exc:
            log.warning("ignoring a stored confirmation: %s", exc.detail)
            return None
        self.stored(stored)
        return stored

    def stored(self, stored: Stored) -> int:
        """Take the server's confirmation; returns how many rows it released. Repeats,
        late or out-of-order confirmations and other sessions' ranges are harmless."""
        released: list[int] = []
        for pool in (self.unconfirmed, self.superseded):
            for seq in covered(stored, ConfirmedTopic.TELEMETRY, self.session, list(pool)):
                message = pool.pop(seq)
                released += [i for i in message.ids if i in self._held_ids]
                self._held_ids.difference_update(message.ids)
        if released:
            self.outbox.remove(released)
            self.confirmed += len(released)
        return len(released)
