"""Publishing what the kiosk reports back — notices shown and touches received — on the
receipts topic; rows are marked published when the server confirms them stored
(``…/stored``). A batch it has not confirmed ``resend_after_ms`` after the PUBACK goes
again as the same message (same ``seq``, same rows), so a confirmation of either copy
marks exactly those rows."""

import logging
from collections.abc import Callable

from pydantic import ValidationError

from contract.codec import encode
from contract.messages import Interaction, Receipt, Receipts
from contract.stored import ConfirmedTopic, Stored, covered
from localstate import LocalState

log = logging.getLogger("kyusui.agent.receipts")


class ReceiptPump:
    def __init__(
        self,
        state: LocalState,
        publish: Callable[[bytes], int],
        session: int,
        batch: int = 200,
        resend_after_ms: int = 30_000,
    ) -> None:
        self.state = state
        self.publish = publish
        self.session = session
        self.batch = batch
        self.resend_after_ms = resend_after_ms
        self.seq = 0
        # seq → (receipt row ids, interaction row ids), sent and not yet confirmed stored
        self.sent: dict[int, tuple[list[int], list[int]]] = {}
        self.current: int | None = None  # the seq of the one batch out now
        self.payload = b""  # that batch's message, to send again as it is
        self.due = False  # the current batch is to be sent again
        self.mids: dict[int, int] = {}  # mid → seq, waiting for the broker
        self.acked_ms: int | None = None  # when the broker took the current batch

    def _receipts(self) -> tuple[list[Receipt], list[int]]:
        valid: list[Receipt] = []
        rows = self.state.unpublished_receipts(self.batch)
        for row_id, r in rows:
            try:
                valid.append(
                    Receipt(
                        notice_id=r.notice_id,
                        version=r.version,
                        shown_at=r.shown_at,
                        duration_s=min(r.duration_s, 86_400),
                        lang=r.lang,
                    )
                )
            except ValidationError as exc:
                # Retrying cannot fix it; the row stays in the file for a person to read.
                log.error("receipt %d cannot be sent and is skipped: %s", row_id, exc.errors()[0])
                self.state.mark_receipts_published([row_id])
        return valid, [i for i, _ in rows]

    def _interactions(self) -> tuple[list[Interaction], list[int]]:
        valid: list[Interaction] = []
        rows = self.state.unpublished_interactions(self.batch)
        for row_id, touch in rows:
            try:
                valid.append(Interaction(ts=touch.ts, kind=touch.kind, detail=touch.detail[:64]))
            except ValidationError as exc:
                log.error("touch %d cannot be sent and is skipped: %s", row_id, exc.errors()[0])
                self.state.mark_interactions_published([row_id])
        return valid, [i for i, _ in rows]

    @property
    def outstanding(self) -> bool:
        """A batch is out and not yet confirmed stored."""
        return self.current is not None

    def pump(self, now_mono_ms: int = 0) -> None:
        if self.current is not None:  # one batch at a time: reports are few
            late = self.acked_ms is not None and now_mono_ms - self.acked_ms >= self.resend_after_ms
            if self.due or late:  # refused, or not confirmed in time: the same message again
                self.mids[self.publish(self.payload)] = self.current
                self.due, self.acked_ms = False, None
            return
        receipts, receipt_ids = self._receipts()
        interactions, interaction_ids = self._interactions()
        if not receipts and not interactions:
            return
        self.seq += 1
        message = Receipts(
            session=self.session, seq=self.seq, receipts=receipts, interactions=interactions
        )
        self.payload = encode(message)
        self.mids[self.publish(self.payload)] = self.seq
        self.sent[self.seq] = (receipt_ids, interaction_ids)
        self.current, self.acked_ms = self.seq, None

    def acked(self, mid: int, ok: bool, now_mono_ms: int = 0) -> bool:
        """Handle a PUBACK; False if ``mid`` was not ours."""
        seq = self.mids.pop(mid, None)
        if seq is None:
            return False
        if seq == self.current:
            if ok:
                self.acked_ms = now_mono_ms
            else:  # refused by the broker: kept, sent again with the next pump
                self.due = True
        return True

    def stored(self, stored: Stored | None) -> None:
        """Mark what the server confirmed; repeats and other sessions change nothing."""
        if stored is None:
            return
        for seq in covered(stored, ConfirmedTopic.RECEIPTS, self.session, list(self.sent)):
            receipt_ids, interaction_ids = self.sent.pop(seq)
            self.state.mark_receipts_published(receipt_ids)
            self.state.mark_interactions_published(interaction_ids)
            if seq == self.current:
                self.current = None
