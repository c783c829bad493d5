"""Publishing what the kiosk has shown: its receipts, marked published on PUBACK."""

import logging
from collections.abc import Callable

from pydantic import ValidationError

from contract.codec import encode
from contract.messages import Receipt, Receipts
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
        self.inflight: dict[int, list[int]] = {}

    def pump(self) -> None:
        if self.inflight:
            return  # one batch at a time: receipts are few
        rows = self.state.unpublished_receipts(self.batch)
        if not rows:
            return
        valid: list[Receipt] = []
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
        ids = [i for i, _ in rows]
        if not valid:
            return
        self.seq += 1
        message = Receipts(session=self.session, seq=self.seq, receipts=valid)
        self.inflight[self.publish(encode(message))] = ids

    def acked(self, mid: int, ok: bool) -> None:
        ids = self.inflight.pop(mid, None)
        if ids is not None and ok:
            self.state.mark_receipts_published(ids)
