"""The broker goes away while the station keeps measuring."""

import sqlite3
import time
from pathlib import Path

from devnet.mosquitto import Mosquitto
from sensors.agent import Agent
from tests.agent.conftest import Listener, agent_settings, running, wait_until
from tests.agent.delivery import recorded


def outbox_stamps(state_dir: Path) -> list[int]:
    conn = sqlite3.connect(state_dir / "agent.sqlite")
    try:
        return [r[0] for r in conn.execute("SELECT ts FROM outbox ORDER BY id")]
    finally:
        conn.close()


def test_readings_taken_while_the_broker_is_down_all_arrive_in_order(
    own_broker: Mosquitto, tmp_path: Path
) -> None:
    listener = Listener(own_broker, persistent=True).start()
    agent = Agent(agent_settings(own_broker, tmp_path, reading_interval_s=0.1, publish_batch=7))
    taken = recorded(agent)
    try:
        with running(agent):
            assert wait_until(lambda: len(listener.readings()) >= 5)
            own_broker.stop()
            before_outage = len(taken)
            assert wait_until(lambda: agent.outbox.depth >= 25, timeout_s=15)
            assert not agent.link.connected
            time.sleep(0.5)
            own_broker.start()
            assert wait_until(lambda: len(taken) > before_outage + 30)
            assert wait_until(lambda: agent.outbox.depth <= 1 and len(listener.readings()) >= 35)
        wait_until(
            lambda: (
                len(set(r["ts"] for r in listener.readings())) + agent.outbox.depth >= len(taken)
            )
        )
    finally:
        listener.stop()

    arrivals = [r["ts"] for r in listener.readings()]
    first_arrivals = list(dict.fromkeys(arrivals))
    # A reading that arrived stays in the outbox until its confirmation is back: count it once.
    left = [ts for ts in outbox_stamps(tmp_path) if ts not in set(first_arrivals)]
    assert first_arrivals + left == [r.ts for r in taken], "a reading was lost or reordered"
    # QoS 1 may deliver a message again when the broker vanished before its PUBACK; only
    # messages then in flight can repeat, and the server's write (keyed by station and
    # time) stores each reading once.
    assert len(arrivals) - len(first_arrivals) <= 8 * 7
    # The outage really was buffered: some messages carried several readings.
    assert any(len(m["readings"]) > 1 for m in listener.payloads("telemetry"))
