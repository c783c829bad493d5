"""The station's messages to the server: readings from the outbox (in order, until the server
confirms them stored), readings sent from memory while the disk is full, and what the kiosk
reports; each told of its PUBACKs and of the server's confirmations.
"""

from collections.abc import Callable

from contract.topics import StationTopic, station_topic
from localstate import LocalState
from sensors.diskspace import DiskState
from sensors.settings import AgentSettings
from sensors.uplink.direct import DirectSender
from sensors.uplink.link import Link
from sensors.uplink.outbox import Outbox
from sensors.uplink.pump import OutboxPump
from sensors.uplink.receipts import ReceiptPump


class Outgoing:
    def __init__(
        self, settings: AgentSettings, outbox: Outbox, state: LocalState, link: Link, session: int
    ) -> None:
        s = settings
        self.link = link
        self.pump = OutboxPump(
            outbox,
            self._publisher(s.station_id, StationTopic.TELEMETRY),
            session,
            batch_size=s.publish_batch,
            unsynced_hold_ms=int(s.unsynced_hold_s * 1000),
            resend_after_ms=int(s.unconfirmed_resend_s * 1000),
        )
        self.direct = DirectSender(self.pump.encode_readings, self.pump.publish)
        self.receipts = ReceiptPump(
            state,
            self._publisher(s.station_id, StationTopic.RECEIPTS),
            session,
            resend_after_ms=int(s.unconfirmed_resend_s * 1000),
        )

    def _publisher(self, station_id: str, kind: StationTopic) -> Callable[[bytes], int]:
        topic = station_topic(station_id, kind)
        return lambda payload: self.link.publish(topic, payload)

    @property
    def outstanding(self) -> bool:
        """Something sent is not yet confirmed stored (or acknowledged, if sent directly)."""
        return bool(self.pump.outstanding or self.receipts.outstanding or self.direct.busy)

    def acked(self, mid: int, ok: bool, now_mono_ms: int) -> None:
        self.pump.acked(mid, ok, now_mono_ms) or self.direct.acked(mid) or self.receipts.acked(
            mid, ok, now_mono_ms
        )

    def confirmed(self, payload: bytes) -> None:
        """The server's ``…/stored`` message, for the readings and the receipts it names."""
        self.receipts.stored(self.pump.confirmation(payload))

    def send(self, boot_id: str, now_mono_ms: Callable[[], int], disk: DiskState) -> None:
        """Send what waits (call only while connected)."""
        self.direct.send()
        self.pump.pump(boot_id, now_mono_ms())
        disk.attempt("publishing receipts", self.receipts.pump, now_mono_ms())
