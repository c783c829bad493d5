"""Running the agent as its own process, the way systemd does."""

import os
import subprocess
import sys
from pathlib import Path

from devnet.mosquitto import Mosquitto
from tests.agent.conftest import STATION


def agent_env(broker: Mosquitto, state_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "KYUSUI_AGENT_CONFIG": str(state_dir / "absent.toml"),
        "KYUSUI_AGENT_STATION_ID": STATION,
        "KYUSUI_AGENT_AREA": "naka",
        "KYUSUI_AGENT_BROKER_PORT": str(broker.port),
        "KYUSUI_AGENT_BROKER_PASSWORD": broker.accounts[STATION],
        "KYUSUI_AGENT_SENSOR": "fake",
        "KYUSUI_AGENT_SIMULATION_FAILURE_RATE": "0",
        "KYUSUI_AGENT_SENSOR_MIN_GAP_S": "0",
        "KYUSUI_AGENT_READING_INTERVAL_S": "0.05",
        "KYUSUI_AGENT_CLOCK_CHECK": "trust",
        "KYUSUI_AGENT_STATE_DIR": str(state_dir),
        **extra,
    }


def start_agent(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "sensors"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
