"""The outbox: bounded (the oldest make way, counted), in order, and emptied only by the
server's confirmation that it stored what was sent."""

from pathlib import Path

from contract.messages import TimeSource
from contract.stored import ConfirmedTopic, Stored, to_ranges
from sensors.time.timekeeping import Stamp, Synchronised
from sensors.uplink.agentdb import open_agent_db
from sensors.uplink.outbox import Outbox
from sensors.uplink.pump import OutboxPump


class Sent(list[bytes]):
    """Stands in for the broker link: records payloads, returns message ids 1, 2, 3…"""

    def __call__(self, payload: bytes) -> int:
        self.append(payload)
        return len(self)


def stamp(i: int, source: TimeSource = TimeSource.SYNCED) -> Stamp:
    return Stamp(ts=1_000_000 + i, mono_ms=i, boot_id="b1", source=source)


def test_a_full_outbox_evicts_the_oldest_and_remembers_how_many(tmp_path: Path) -> None:
    outbox = Outbox(open_agent_db(tmp_path).conn, capacity=5)
    for i in range(8):
        outbox.add(stamp(i), {"quality": "fault"})
    assert (outbox.depth, outbox.evicted) == (5, 3)
    assert [r.ts for r in outbox.batch(0, 10)] == [1_000_003 + i for i in range(5)]
    outbox.conn.close()
    reopened = Outbox(open_agent_db(tmp_path).conn, capacity=5)
    assert (reopened.depth, reopened.evicted) == (5, 3), "the count survives a restart"


def stored(*seqs: int, session: int = 3) -> Stored:
    return Stored(ranges=to_ranges((ConfirmedTopic.TELEMETRY, session, q) for q in seqs))


def test_rows_leave_only_when_the_server_confirms_them_stored(tmp_path: Path) -> None:
    outbox = Outbox(open_agent_db(tmp_path).conn)
    for i in range(5):
        outbox.add(stamp(i), {"quality": "fault"})
    pump = OutboxPump(outbox, Sent(), session=3, batch_size=2)
    assert pump.pump("b1", 10) == 3
    for mid in (1, 2, 3):
        pump.acked(mid, True, 10)
    assert outbox.depth == 5, "the broker's PUBACK alone releases nothing"
    assert pump.stored(stored(2)) == 2
    assert outbox.depth == 3
    outbox.flush()  # otherwise committed with the next reading
    assert [r.ts for r in outbox.batch(0, 10)] == [1_000_000, 1_000_001, 1_000_004]


def test_a_refused_message_is_kept_and_sent_again_later(tmp_path: Path) -> None:
    outbox = Outbox(open_agent_db(tmp_path).conn)
    for i in range(5):
        outbox.add(stamp(i), {"quality": "fault"})
    pump = OutboxPump(outbox, Sent(), session=3, batch_size=2)
    assert pump.pump("b1", 10) == 3
    pump.acked(1, False, 10)  # refused by the broker: kept, and sent again later
    assert outbox.depth == 5
    assert pump.pump("b1", 10) == 0, "a refusal pauses the pump"
    assert pump.pump("b1", 40_000) == 1


def test_unsynced_readings_wait_then_are_re_dated_from_the_monotonic_clock(
    tmp_path: Path,
) -> None:
    outbox = Outbox(open_agent_db(tmp_path).conn)
    outbox.add(stamp(0), {"quality": "fault"})
    outbox.add(stamp(500, TimeSource.UNSYNCED), {"quality": "fault"})
    outbox.add(Stamp(7, 600, "b0", TimeSource.UNSYNCED), {"quality": "fault"})  # another boot
    sent = Sent()
    pump = OutboxPump(outbox, sent, 1, unsynced_hold_ms=10_000)
    pump.pump("b1", 1000)
    assert len(sent) == 1
    assert b'"ts":1000000' in sent[0]
    assert b"unsynced" not in sent[0], "nothing after the held reading overtakes it"
    assert outbox.redate(Synchronised("b1", 1_700_000_000_000)) == 1
    rows = outbox.batch(1, 10)
    assert (rows[0].ts, rows[0].time_source) == (1_700_000_000_500, "redated")
    assert (rows[1].ts, rows[1].time_source) == (7, "unsynced")  # cannot be re-dated: flagged


def test_after_a_reconnect_nothing_new_overtakes_the_messages_being_resent(
    tmp_path: Path,
) -> None:
    outbox = Outbox(open_agent_db(tmp_path).conn)
    for i in range(3):
        outbox.add(stamp(i), {"quality": "fault"})
    sent = Sent()
    pump = OutboxPump(outbox, sent, 1, batch_size=1)
    assert pump.pump("b1", 0) == 3
    pump.reconnected()  # the client library resends messages 1–3 itself
    outbox.add(stamp(3), {"quality": "fault"})
    assert pump.pump("b1", 0) == 0
    for mid in (1, 2):
        pump.acked(mid, True, 0)
    assert pump.pump("b1", 0) == 0
    pump.acked(3, True, 0)
    pump.stored(stored(1, 2, 3, session=1))
    assert pump.pump("b1", 0) == 1
    assert b'"ts":1000003' in sent[-1]


def test_a_committed_reading_survives_a_power_cut(tmp_path: Path) -> None:
    """Each commit is synced to the card (synchronous=FULL), not left to the kernel."""
    opened = open_agent_db(tmp_path)
    full = 2
    assert opened.conn.execute("PRAGMA synchronous").fetchone()[0] == full
