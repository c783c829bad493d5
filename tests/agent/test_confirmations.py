"""Readings (and what the kiosk reports) stay on the station until the server says it stored
them; what it never confirms is sent again, in order, a window at a time."""

import json
from pathlib import Path

from contract.codec import encode
from contract.stored import ConfirmedTopic, Stored, to_ranges
from localstate import ShownNotice, open_local_state
from sensors.uplink.agentdb import open_agent_db
from sensors.uplink.outbox import Outbox
from sensors.uplink.pump import OutboxPump
from sensors.uplink.receipts import ReceiptPump
from tests.agent.test_outbox import Sent, stamp

SESSION = 4


def stored(*seqs: int, session: int = SESSION) -> Stored:
    return Stored(ranges=to_ranges((ConfirmedTopic.TELEMETRY, session, q) for q in seqs))


def seq_of(payload: bytes) -> int:
    return int(json.loads(payload)["seq"])


def stamps(payload: bytes) -> list[int]:
    return [r["ts"] - 1_000_000 for r in json.loads(payload)["readings"]]


def filled(tmp_path: Path, n: int) -> Outbox:
    outbox = Outbox(open_agent_db(tmp_path).conn)
    for i in range(n):
        outbox.add(stamp(i), {"quality": "fault"})
    return outbox


def ack_all(pump: OutboxPump, sent: Sent, now: int) -> None:
    for mid in range(1, len(sent) + 1):
        pump.acked(mid, True, now)


def test_what_the_broker_took_but_nobody_stored_is_sent_again_in_order(tmp_path: Path) -> None:
    outbox = filled(tmp_path, 10)
    sent = Sent()
    pump = OutboxPump(outbox, sent, SESSION, batch_size=1, window=3, resend_after_ms=5_000)
    assert pump.pump("b1", 0) == 3, "a window of three messages goes out"
    ack_all(pump, sent, 100)
    assert pump.pump("b1", 4_000) == 0, "nothing more until the server confirms"
    assert pump.pump("b1", 5_100) == 3, "then the oldest unconfirmed go again"
    assert [stamps(p) for p in sent[3:]] == [[0], [1], [2]]
    assert outbox.depth == 10


def test_a_resend_waits_for_the_broker_to_acknowledge_what_is_in_flight(tmp_path: Path) -> None:
    outbox = filled(tmp_path, 4)
    sent = Sent()
    pump = OutboxPump(outbox, sent, SESSION, batch_size=1, window=2, resend_after_ms=1_000)
    pump.pump("b1", 0)
    pump.acked(1, True, 0)
    assert pump.pump("b1", 60_000) == 0, "message 2 is still in the client library's hands"
    pump.acked(2, True, 60_000)
    assert pump.pump("b1", 61_000) == 2


def test_confirmations_twice_late_and_out_of_order_release_each_reading_once(
    tmp_path: Path,
) -> None:
    outbox = filled(tmp_path, 6)
    sent = Sent()
    pump = OutboxPump(outbox, sent, SESSION, batch_size=2, window=3, resend_after_ms=1_000)
    pump.pump("b1", 0)  # seqs 1–3 carry rows 0–1, 2–3, 4–5
    ack_all(pump, sent, 0)
    assert pump.stored(stored(3)) == 2
    assert pump.stored(stored(3)) == 0, "a repeat changes nothing"
    assert pump.stored(stored(1, session=SESSION - 1)) == 0, "another session's is ignored"
    assert pump.stored(stored(99)) == 0, "a message never sent is ignored"
    assert outbox.depth == 4
    pump.pump("b1", 2_000)  # seqs 1 and 2 were not confirmed: the same messages go again
    assert [(seq_of(p), stamps(p)) for p in sent[3:]] == [(1, [0, 1]), (2, [2, 3])]
    assert pump.stored(stored(2)) == 2, "the first copy's confirmation, after the resend, counts"
    assert pump.stored(stored(2)) == 0, "the second copy's releases nothing more"
    assert pump.stored(stored(1)) == 2
    assert outbox.depth == 0
    outbox.flush()
    assert outbox.batch(0, 10) == []


def test_the_window_counts_messages_until_they_are_confirmed(tmp_path: Path) -> None:
    outbox = filled(tmp_path, 30)
    sent = Sent()
    pump = OutboxPump(outbox, sent, SESSION, batch_size=5, window=2)
    assert pump.pump("b1", 0) == 2
    ack_all(pump, sent, 0)
    assert pump.pump("b1", 0) == 0
    pump.stored(stored(1))
    assert pump.pump("b1", 0) == 1
    assert stamps(sent[-1]) == [10, 11, 12, 13, 14]


def test_a_confirmation_off_the_wire_that_breaks_the_contract_is_ignored(tmp_path: Path) -> None:
    outbox = filled(tmp_path, 2)
    pump = OutboxPump(outbox, Sent(), SESSION)
    pump.pump("b1", 0)
    assert pump.confirmation(b'{"v":1,"ranges":"all"}') is None
    assert pump.confirmation(b"not json") is None
    assert outbox.depth == 2
    assert pump.confirmation(encode(stored(1))) == stored(1)
    assert outbox.depth == 0


def test_a_reading_evicted_while_unconfirmed_is_not_counted_twice(tmp_path: Path) -> None:
    outbox = Outbox(open_agent_db(tmp_path).conn, capacity=10)
    for i in range(10):
        outbox.add(stamp(i), {"quality": "fault"})
    pump = OutboxPump(outbox, Sent(), SESSION, batch_size=5, window=1)
    pump.pump("b1", 0)  # rows 1–5
    for i in range(10, 13):
        outbox.add(stamp(i), {"quality": "fault"})  # evicts rows 1–3
    assert (outbox.depth, outbox.evicted) == (10, 3)
    pump.stored(stored(1))
    assert outbox.depth == 8, "only the two rows still held leave"


def test_what_the_kiosk_reported_stays_unpublished_until_confirmed_and_goes_again(
    tmp_path: Path,
) -> None:
    kiosk = open_local_state(tmp_path).state
    kiosk.record_receipt(ShownNotice("water-map", 3, 1_785_891_600_000, 12.0, "ja"))
    kiosk.record_interaction("lang", "en", ts=1_785_891_605_000)
    sent = Sent()
    receipts = ReceiptPump(kiosk, sent, SESSION, resend_after_ms=5_000)
    receipts.pump(0)
    receipts.acked(1, True, 100)
    assert len(kiosk.unpublished_receipts()) == 1, "a PUBACK alone marks nothing"
    receipts.pump(4_000)
    assert len(sent) == 1
    receipts.pump(5_200)
    assert len(sent) == 2, "not confirmed in time: sent again"
    assert sent[1] == sent[0], "the same message, under the same seq"
    late = Stored(ranges=to_ranges([(ConfirmedTopic.RECEIPTS, SESSION, 1)]))
    receipts.stored(stored(1))  # a telemetry confirmation of the same seq changes nothing
    assert len(kiosk.unpublished_interactions()) == 1
    receipts.stored(late)  # the first copy's confirmation, late, counts
    assert kiosk.unpublished_receipts() == []
    assert kiosk.unpublished_interactions() == []


def test_a_resend_carries_what_eviction_left_and_drops_a_message_left_empty(
    tmp_path: Path,
) -> None:
    outbox = Outbox(open_agent_db(tmp_path).conn, capacity=6)
    for i in range(6):
        outbox.add(stamp(i), {"quality": "fault"})
    sent = Sent()
    pump = OutboxPump(outbox, sent, SESSION, batch_size=2, window=2, resend_after_ms=1_000)
    pump.pump("b1", 0)  # seq 1: readings 0–1, seq 2: readings 2–3
    ack_all(pump, sent, 0)
    for i in range(6, 9):
        outbox.add(stamp(i), {"quality": "fault"})  # evicts readings 0–2
    assert pump.pump("b1", 1_000) == 2, "seq 1 lost all its readings: seq 2 and a new one"
    assert [(seq_of(p), stamps(p)) for p in sent[2:]] == [(2, [3]), (3, [4, 5])]
    assert pump.stored(stored(1, 2)) == 1
    assert (outbox.evicted, outbox.depth) == (3, 5)


def test_a_message_the_broker_refused_goes_again_under_its_own_seq(tmp_path: Path) -> None:
    outbox = filled(tmp_path, 4)
    sent = Sent()
    pump = OutboxPump(outbox, sent, SESSION, batch_size=2, window=2, resend_after_ms=60_000)
    pump.pump("b1", 0)
    pump.acked(1, False, 0)  # seq 1 refused (a quota), seq 2 taken
    pump.acked(2, True, 0)
    assert pump.pump("b1", 1_000) == 0, "a refusal pauses the station"
    assert pump.pump("b1", 31_000) == 1
    assert (seq_of(sent[-1]), stamps(sent[-1])) == (1, [0, 1]), "still before seq 2"


def test_after_a_restart_unconfirmed_readings_go_first_in_the_new_session(
    tmp_path: Path,
) -> None:
    outbox = filled(tmp_path, 4)
    first = OutboxPump(outbox, Sent(), SESSION, batch_size=2, window=2)
    first.pump("b1", 0)
    first.stored(stored(2))  # readings 2–3 stored; 0–1 never confirmed
    outbox.flush()
    outbox.add(stamp(4), {"quality": "fault"})
    sent = Sent()
    restarted = OutboxPump(outbox, sent, SESSION + 1, batch_size=2, window=2)
    restarted.pump("b1", 0)
    assert [(json.loads(p)["session"], seq_of(p), stamps(p)) for p in sent] == [
        (SESSION + 1, 1, [0, 1]),
        (SESSION + 1, 2, [4]),
    ]
