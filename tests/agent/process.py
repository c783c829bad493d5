"""Running the agent as its own process, the way systemd does."""

__all__ = ["agent_env", "start_agent"]

import os
from pathlib import Path

from devnet.agent import simulated_agent_env, start_agent
from devnet.mosquitto import Mosquitto
from tests.agent.conftest import STATION


def agent_env(broker: Mosquitto, state_dir: Path, **extra: str) -> dict[str, str]:
    assert broker.port is not None
    env = simulated_agent_env(
        STATION,
        "naka",
        broker.port,
        broker.accounts[STATION],
        state_dir,
        config_file=state_dir / "absent.toml",
        simulation_failure_rate="0",
        sensor_min_gap_s="0",
        reading_interval_s="0.05",
    )
    return {**os.environ, **env, **extra}
