"""End to end through the real Mosquitto and real ingest workers: a reading leaves the
station only when a worker has stored it, so what the broker acknowledged and then lost
costs a resend, never a reading."""

import shutil
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from contract.codec import encode
from contract.messages import Command, CommandName
from contract.stored import ConfirmedTopic, Stored, StoredRange
from contract.topics import StationTopic, command_topic, station_topic, stored_topic
from devnet.mosquitto import Mosquitto
from tests.agent.conftest import STATION, running, wait_until
from tests.agent.delivery import (
    Reporting,
    broker_took_everything_sent,
    ingest,
    outbox,
    recorded,
    station_agent,
    stored,
    times,
)
from tests.conftest import SERVER_USER


def test_readings_the_broker_took_while_no_worker_listened_reach_the_store_later(
    own_broker: Mosquitto, reporting: Reporting
) -> None:
    agent, taken, state_dir, store_path = reporting
    with running(agent):
        assert wait_until(lambda: len(taken) >= 20 and broker_took_everything_sent(agent))
        first = [r.ts for r in taken[:10]]
        assert outbox(state_dir)[:10] == first, "acknowledged by the broker, yet kept"
        assert wait_until(lambda: agent.outgoing.pump.resends >= 1), "nothing was sent again"
        with ingest(own_broker, store_path):
            assert wait_until(lambda: set(first) <= set(stored(store_path)), timeout_s=15)
            assert wait_until(lambda: agent.outbox.depth <= 3, timeout_s=15)
    left = outbox(state_dir)
    kept = stored(store_path)
    assert set(kept) | set(left) == times(taken), "a reading was lost"
    assert set(first) <= set(kept)


def test_readings_queued_in_a_broker_that_lost_its_persistence_are_sent_again(
    own_broker: Mosquitto, reporting: Reporting
) -> None:
    agent, taken, state_dir, store_path = reporting
    # A worker whose session the broker keeps: while it is away, the broker queues for it.
    keeping = {"ingest_session_expiry_s": 3600}
    with running(agent):
        with ingest(own_broker, store_path, **keeping):
            assert wait_until(lambda: len(stored(store_path)) >= 10)
        queued_from = len(taken)
        assert wait_until(lambda: len(taken) >= queued_from + 10)
        assert wait_until(lambda: broker_took_everything_sent(agent))
        own_broker.kill()
        shutil.rmtree(own_broker.workdir / "data")  # its persistence file is gone
        own_broker.start()
        with ingest(own_broker, store_path, **keeping):
            lost = [r.ts for r in taken[queued_from : queued_from + 10]]
            assert wait_until(lambda: set(lost) <= set(stored(store_path)), timeout_s=20)
            assert wait_until(lambda: agent.outbox.depth <= 3, timeout_s=15)
    assert set(stored(store_path)) | set(outbox(state_dir)) == times(taken)


class Replayer:
    """Catches every confirmation to the station and publishes it again, later, reversed
    and twice, with forged ones for a session the station no longer has."""

    def __init__(self, broker: Mosquitto) -> None:
        self.caught: list[bytes] = []
        self.answered = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.username_pw_set(SERVER_USER, broker.accounts[SERVER_USER])
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", broker.port or 0)
        self.client.subscribe(stored_topic(STATION), qos=1)
        self.client.subscribe(station_topic(STATION, StationTopic.CMD_RESULT), qos=1)
        self.client.loop_start()

    def _on_message(self, client: mqtt.Client, userdata: object, m: mqtt.MQTTMessage) -> None:
        if m.topic.endswith("/stored"):
            self.caught.append(bytes(m.payload))
        else:
            self.answered.set()

    def handled(self) -> bool:
        """The station has handled everything replayed: it answers a command sent after it
        (the broker keeps one sender's messages to a station in order)."""
        self.answered.clear()
        now = time.time_ns() // 1_000_000
        ping = Command(cmd_id="ping", name=CommandName.IDENTIFY, issued_at=now, expires_at=1)
        self.client.publish(command_topic(STATION), encode(ping), qos=1).wait_for_publish(5)
        return self.answered.wait(15)

    def replay(self, old_session: int) -> None:
        forged = Stored(
            ranges=[
                StoredRange(
                    topic=ConfirmedTopic.TELEMETRY, session=old_session, first=0, last=10**9
                )
            ]
        )
        for payload in [encode(forged), *reversed(self.caught), *self.caught]:
            self.client.publish(stored_topic(STATION), payload, qos=1).wait_for_publish(5)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_repeated_late_and_foreign_confirmations_lose_nothing_and_count_right(
    own_broker: Mosquitto, reporting: Reporting
) -> None:
    agent, taken, state_dir, store_path = reporting
    replayer = Replayer(own_broker)
    try:
        with running(agent):
            with ingest(own_broker, store_path):
                assert wait_until(lambda: len(replayer.caught) >= 10)
            # No worker now: what is taken from here on is not stored, whatever is replayed.
            assert wait_until(lambda: broker_took_everything_sent(agent))
            replayer.replay(agent.session - 1)
            assert replayer.handled(), "the station did not answer after the replay"
            assert wait_until(lambda: agent.outbox.depth == len(outbox(state_dir)) > 0)
            unstored = set(outbox(state_dir))
            assert not unstored & set(stored(store_path))
            with ingest(own_broker, store_path):
                assert wait_until(lambda: unstored <= set(stored(store_path)), timeout_s=15)
                replayer.replay(agent.session - 1)
                assert wait_until(lambda: agent.outbox.depth <= 3)
            assert wait_until(lambda: agent.outbox.depth == len(outbox(state_dir)))
    finally:
        replayer.stop()
    assert set(stored(store_path)) | set(outbox(state_dir)) == times(taken)


def test_two_workers_and_a_broker_killed_mid_stream_store_every_reading(
    own_broker: Mosquitto, tmp_path: Path
) -> None:
    store_path = tmp_path / "ts.sqlite"
    stations = {s: tmp_path / s for s in (STATION, "st-test-02")}
    agents = {s: station_agent(own_broker, d, s) for s, d in stations.items()}
    taken = {s: recorded(a) for s, a in agents.items()}
    with ExitStack() as stack:
        workers = [stack.enter_context(ingest(own_broker, store_path, i)) for i in (0, 1)]
        assert workers[0].client_id != workers[1].client_id
        for agent in agents.values():
            stack.enter_context(running(agent))
        assert wait_until(lambda: all(len(stored(store_path, s)) >= 10 for s in stations))
        own_broker.kill()
        time.sleep(1.0)
        own_broker.start()
        after = {s: len(t) + 10 for s, t in taken.items()}
        assert wait_until(lambda: all(len(taken[s]) >= n for s, n in after.items()), timeout_s=15)
        for s in stations:
            want = {r.ts for r in taken[s][: after[s]]}
            assert wait_until(
                lambda want=want, s=s: want <= set(stored(store_path, s)),  # type: ignore[misc]
                timeout_s=30,
            ), s
        handled = [w.handler.stats.accepted["telemetry"] for w in workers]
    assert min(handled) > 0, f"one worker took everything: {handled}"
    for s, state_dir in stations.items():
        produced = [r.ts for r in taken[s]]
        kept = stored(store_path, s)
        assert set(kept) | set(outbox(state_dir)) == set(produced), f"{s} lost readings"
        assert len(kept) == len(set(kept))


def test_lost_confirmations_cost_resends_and_never_a_reading(
    own_broker: Mosquitto, reporting: Reporting
) -> None:
    agent, taken, state_dir, store_path = reporting
    with running(agent):
        with ingest(own_broker, store_path, ingest_confirm_stored=False):  # every one lost
            # A full window (8 messages) stored; the same messages go again, nothing newer.
            assert wait_until(lambda: len(stored(store_path)) >= 8)
            assert wait_until(lambda: agent.outgoing.pump.resends >= 2), "nothing was sent again"
            assert agent.outbox.depth >= 10, "stored, but nobody said so: still held"
        with ingest(own_broker, store_path):
            assert wait_until(lambda: agent.outbox.depth <= 3, timeout_s=15)
    assert set(stored(store_path)) | set(outbox(state_dir)) == times(taken)
