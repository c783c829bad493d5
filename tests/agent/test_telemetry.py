"""The agent measures and its readings reach the server."""

from pathlib import Path

from contract.codec import decode
from contract.messages import Health, Telemetry
from devnet.mosquitto import Mosquitto
from sensors.agent import Agent
from tests.agent.conftest import Listener, agent_settings, running, wait_until


def test_readings_health_and_a_clean_offline_status_reach_the_server(
    broker: Mosquitto, listener: Listener, tmp_path: Path
) -> None:
    agent = Agent(agent_settings(broker, tmp_path, health_interval_s=0.5))
    with running(agent):
        assert wait_until(
            lambda: len(listener.readings()) >= 5 and bool(listener.payloads("health"))
        )
    assert wait_until(lambda: listener.payloads("status")[-1]["state"] == "offline")
    statuses = listener.payloads("status")
    assert statuses[0]["state"] == "online"
    assert statuses[-1] == statuses[-1] | {"state": "offline", "clean": True}
    for topic, raw in listener.messages:
        if topic.endswith("/telemetry"):
            decode(Telemetry, raw)
        if topic.endswith("/health"):
            health = decode(Health, raw)
            assert health.sensor_state == "ok"
            assert health.clock_synced
    stamps = [r["ts"] for r in listener.readings()]
    assert stamps == sorted(stamps)
    assert agent.outbox.depth == 0
