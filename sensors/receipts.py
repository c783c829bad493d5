"""Publishing what the kiosk reports back — notices shown and touches received — on the
receipts topic; rows are marked published on PUBACK."""

import logging
from collections.abc import Callable

from pydantic import ValidationError

from contract.codec import encode
from contract.messages import Interaction, Receipt, Receipts
from sensors.localstate import LocalState

log = logging.getLogger("kyusui.agent.receipts")


class ReceiptPump:
    def __init__(
        self, state: LocalState, publish: Callable[[bytes], int], session: int, batch: int = 200
    ) -> None:
        self.state = state
        self.publish = publish
        self.session = session
        self.batch = batch
        self.seq = 0
        # mid → (receipt row ids, interaction row ids)
        self.inflight: dict[int, tuple[list[int], list[int]]] = {}

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

    def pump(self) -> None:
        if self.inflight:
            return  # one batch at a time: reports are few
        receipts, receipt_ids = self._receipts()
        interactions, interaction_ids = self._interactions()
        if not receipts and not interactions:
            return
        self.seq += 1
        message = Receipts(
            session=self.session, seq=self.seq, receipts=receipts, interactions=interactions
        )
        self.inflight[self.publish(encode(message))] = (receipt_ids, interaction_ids)

    def acked(self, mid: int, ok: bool) -> None:
        rows = self.inflight.pop(mid, None)
        if rows is not None and ok:
            self.state.mark_receipts_published(rows[0])
            self.state.mark_interactions_published(rows[1])
