"""Through the real Mosquitto and a real ingest worker: a message sent again is the same
message (same session, seq and readings), so what the broker dropped is stored where it was
measured in the station's order, and either copy's confirmation releases its readings once."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from contract.messages import Reading
from contract.topics import StationTopic, ingest_subscriptions
from devnet.mosquitto import Mosquitto
from tests.agent.conftest import running, wait_until
from tests.agent.delivery import (
    Reporting,
    broker_took_everything_sent,
    ingest,
    outbox,
    stored,
)
from tests.conftest import SERVER_USER


@contextmanager
def black_hole(broker: Mosquitto) -> Iterator[list[bytes]]:
    """A member of the ingest workers' shared group that takes its share of telemetry and
    stores nothing: to the station, messages the broker acknowledged and then dropped."""
    taken: list[bytes] = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(SERVER_USER, broker.accounts[SERVER_USER])
    client.on_message = lambda c, u, m: taken.append(bytes(m.payload))
    client.connect("127.0.0.1", broker.port or 0)
    telemetry = [t for t in ingest_subscriptions() if t.endswith(StationTopic.TELEMETRY.value)]
    client.subscribe([(t, 1) for t in telemetry])
    client.loop_start()
    try:
        yield taken
    finally:
        client.disconnect()
        client.loop_stop()


def measured(taken: list[Reading], kept: list[int]) -> list[int]:
    """The times of the stored readings in the order taken (readings of one millisecond,
    which a fast reading interval can give, are one reading: its identity is its time)."""
    held = set(kept)
    return list(dict.fromkeys(r.ts for r in taken if r.ts in held))


def in_station_order(store_path: Path) -> list[int]:
    """The stored readings' times, in the station's order (session, seq, place)."""
    db = sqlite3.connect(store_path, timeout=30)
    try:
        rows = db.execute("SELECT ts FROM readings ORDER BY session, seq, idx").fetchall()
    finally:
        db.close()
    return [r[0] for r in rows]


def test_readings_the_broker_dropped_are_stored_in_the_order_measured(
    own_broker: Mosquitto, reporting: Reporting
) -> None:
    agent, taken, state_dir, store_path = reporting
    with running(agent), ingest(own_broker, store_path):
        with black_hole(own_broker) as dropped:
            # The group alternates: about every other message goes where nothing stores it.
            assert wait_until(
                lambda: len(dropped) >= 3 and agent.outgoing.pump.resends >= 2, timeout_s=20
            )
            assert len(set(dropped)) < len(dropped), "no dropped message went again unchanged"
        now = len(taken)
        assert wait_until(lambda: len(taken) >= now + 10)
        want = {r.ts for r in taken[: now + 10]}
        assert wait_until(lambda: want <= set(stored(store_path)), timeout_s=20)
    kept = in_station_order(store_path)
    assert len(kept) == len(set(kept)), "a reading was stored twice"
    assert kept == measured(taken, kept), "a reading sent again was placed after newer ones"
    assert set(kept) | set(outbox(state_dir)) == {r.ts for r in taken}, "a reading was lost"


def test_a_late_confirmation_of_the_first_copy_releases_its_readings_once(
    own_broker: Mosquitto, reporting: Reporting
) -> None:
    agent, taken, state_dir, store_path = reporting
    keeping = {"ingest_session_expiry_s": 3600}  # the broker queues for it while it is away
    with running(agent):
        with ingest(own_broker, store_path, **keeping):
            assert wait_until(lambda: len(stored(store_path)) >= 5)
        assert wait_until(
            lambda: broker_took_everything_sent(agent) and agent.outgoing.pump.resent >= 8
        )
        sent_seqs = agent.outgoing.pump.seq
        assert wait_until(lambda: agent.outgoing.pump.resends >= 2)
        assert agent.outgoing.pump.seq == sent_seqs, "sent again under new seq numbers"
        # Back: the worker gets the first copies, then the copies, and confirms each.
        with ingest(own_broker, store_path, **keeping):
            assert wait_until(lambda: agent.outbox.depth <= 3, timeout_s=15)
    left = outbox(state_dir)
    kept = in_station_order(store_path)
    assert agent.outgoing.pump.confirmed + agent.outbox.depth == len(taken), "released twice"
    assert len(kept) == len(set(kept))
    assert kept == measured(taken, kept), "a reading sent again was placed after newer ones"
    assert set(kept) | set(left) == {r.ts for r in taken}, "a reading was lost"
