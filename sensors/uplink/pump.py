"""Moving the outbox to the server: in order, in batches, a bounded window unconfirmed,
rows deleted only when the server confirms them stored (``…/stored``).

A message counts against the window from its publish until the server confirms it: a
PUBACK only says the broker has it. When the oldest message has waited
``resend_after_ms`` since its PUBACK without a confirmation (no worker subscribed, a
broker that lost it, a stuck worker), everything unconfirmed is sent again, oldest first:
**the same messages**, under the same ``session`` and ``seq``, with the same rows (less any
evicted meanwhile). A reading therefore keeps its place in the station's order (session,
seq) however often it travels, and a confirmation of any copy releases exactly its rows.
Nothing new goes out beyond the window: a recovering server gets at most ``window``
messages per station at a time.

Readings still waiting for the clock (unsynchronised, this boot, younger than the hold
time) stop the pump, so nothing overtakes them and no guessed time is sent while the
clock may still come right.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract.codec import decode, encode
from contract.errors import ContractError
from contract.messages import Reading, Telemetry, TimeSource
from contract.stored import ConfirmedTopic, Stored, covered
from sensors.uplink.outbox import Outbox, OutboxRow

log = logging.getLogger("kyusui.agent.pump")
DENIED_PAUSE_MS = 30_000


@dataclass(slots=True)
class Sent:
    """One telemetry message of this session: the outbox rows it carried."""

    ids: tuple[int, ...]
    acked_ms: int | None = None  # when the broker acknowledged it
    due: bool = False  # to be published again, under the same seq

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
        self.unconfirmed: dict[int, Sent] = {}  # seq → message sent, not confirmed stored
        self.cursor = 0  # the last row id handed to the broker
        self.denied = 0
        self.resends = 0  # rounds of sending unconfirmed messages again
        self.resent = 0  # messages sent again (each under its own seq)
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

    def encode_readings(self, values: list[dict[str, Any]], seq: int | None = None) -> bytes:
        """A telemetry message: under the next ``seq``, or under ``seq`` when sent again."""
        if seq is None:
            self.seq += 1
            seq = self.seq
        readings = [Reading.model_validate(v) for v in values]
        return encode(Telemetry(session=self.session, seq=seq, readings=readings))

    def pump(self, boot_id: str, now_mono_ms: int) -> int:
        """Publish what may go now (call only while connected); returns messages sent."""
        if now_mono_ms < self._paused_until:
            return 0
        if self._resending:
            if self.inflight:
                return 0
            self._resending = False
        self._resend_if_due(now_mono_ms)
        sent = self._send_again()
        while len(self.unconfirmed) < self.window:
            rows = self.outbox.batch(self.cursor, self.batch_size)
            if rows and (out := self._out(rows[0].id)) is not None:
                self.cursor = out.last  # rows out in a message go again only in that message
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
            self.cursor = rows[-1].id
            sent += 1
        return sent

    def _out(self, row_id: int) -> Sent | None:
        for message in self.unconfirmed.values():
            if message.first <= row_id <= message.last:
                return message
        return None

    def _resend_if_due(self, now_mono_ms: int) -> None:
        """Mark every unconfirmed message to go again once the oldest has waited too long;
        a late confirmation of an earlier copy names the same seq, and counts."""
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
        for message in self.unconfirmed.values():
            message.due = True

    def _send_again(self) -> int:
        """Publish the messages due again, oldest first, each under its own seq with the
        rows it still has (a message whose rows were all evicted is dropped)."""
        sent = 0
        self.outbox.flush()  # confirmed rows must not be read again
        for seq in sorted(self.unconfirmed):
            message = self.unconfirmed[seq]
            if not message.due:
                continue
            rows = [
                r
                for r in self.outbox.batch(message.first - 1, len(message.ids))
                if r.id in message.ids
            ]
            if not rows:
                del self.unconfirmed[seq]
                continue
            message.ids = tuple(r.id for r in rows)
            message.due, message.acked_ms = False, None
            payload = self.encode_readings([r.reading() for r in rows], seq)
            self.inflight[self.publish(payload)] = seq
            self.resent += 1
            sent += 1
        return sent

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
            # Refused by the broker (ACL, quota): keep the message, send it again later.
            message.due = True
            self.denied += 1
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
        for seq in covered(stored, ConfirmedTopic.TELEMETRY, self.session, list(self.unconfirmed)):
            message = self.unconfirmed.pop(seq)
            released += [i for i in message.ids if i > self.outbox.floor]  # less the evicted
        if released:
            self.outbox.remove(released)
            self.confirmed += len(released)
        return len(released)
