"""Running a simulated station agent as its own process, as the demo, tests and bench do."""

import subprocess
import sys
from pathlib import Path


def simulated_agent_env(
    station_id: str,
    area: str,
    broker_port: int,
    password: str,
    state_dir: Path,
    config_file: Path,
    **settings: str,
) -> dict[str, str]:
    """``KYUSUI_AGENT_*`` variables for a fake-sensor station on a local broker; ``settings``
    add or override (``reading_interval_s="5"`` → ``KYUSUI_AGENT_READING_INTERVAL_S=5``)."""
    env = {
        "KYUSUI_AGENT_CONFIG": str(config_file),
        "KYUSUI_AGENT_STATION_ID": station_id,
        "KYUSUI_AGENT_AREA": area,
        "KYUSUI_AGENT_BROKER_PORT": str(broker_port),
        "KYUSUI_AGENT_BROKER_PASSWORD": password,
        "KYUSUI_AGENT_SENSOR": "fake",
        "KYUSUI_AGENT_STATE_DIR": str(state_dir),
        # A development machine's clock is kept by its host, whatever adjtimex says.
        "KYUSUI_AGENT_CLOCK_CHECK": "trust",
    }
    env |= {f"KYUSUI_AGENT_{name.upper()}": value for name, value in settings.items()}
    return env


def start_agent(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python -m sensors`` with ``env``, its output appended to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "sensors"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
