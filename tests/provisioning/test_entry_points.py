"""Every command prints its help and exits, touching nothing; a wrong sensor says so plainly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sensors.gpio.parts import SensorUnavailableError, check_sensor_available
from sensors.settings import AgentSettings

BIN = Path(sys.executable).parent
COMMANDS = [
    "kyusui-agent", "kyusui-api", "kyusui-ingest", "kyusui-kiosk", "kyusui-provision",
    "kyusui-devnet",
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_help_prints_and_starts_nothing(command: str, tmp_path: Path) -> None:
    env = os.environ | {
        "KYUSUI_AGENT_STATE_DIR": str(tmp_path / "state"),
        "KYUSUI_AGENT_STATION_ID": "st-help",
        "KYUSUI_SERVER_REGISTRY_PATH": str(tmp_path / "registry.sqlite"),
        "KYUSUI_SERVER_TIMESERIES_PATH": str(tmp_path / "timeseries.sqlite"),
        "KYUSUI_KIOSK_STATE_DIR": str(tmp_path / "state"),
    }
    result = subprocess.run(
        [BIN / command, "--help"], capture_output=True, text=True, env=env, cwd=tmp_path,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"usage: {command}" in result.stdout
    assert list(tmp_path.iterdir()) == []  # no database, no state directory


def test_a_service_refuses_arguments_it_does_not_take(tmp_path: Path) -> None:
    result = subprocess.run(
        [BIN / "kyusui-agent", "--sensor", "fake"], capture_output=True, text=True, cwd=tmp_path,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_a_real_sensor_without_gpio_fails_with_one_sentence(tmp_path: Path) -> None:
    settings = AgentSettings(station_id="st-gpio", sensor="dht22", state_dir=tmp_path)
    with pytest.raises(SensorUnavailableError, match=r"this machine has no GPIO .* \"fake\""):
        check_sensor_available(settings, dev=tmp_path)
    (tmp_path / "gpiochip0").touch()
    check_sensor_available(settings, dev=tmp_path)  # a Pi: nothing to say
    check_sensor_available(AgentSettings(station_id="st-gpio", sensor="fake"), dev=tmp_path)


def test_the_agent_stops_for_good_when_its_sensor_cannot_exist(tmp_path: Path) -> None:
    if any(Path("/dev").glob("gpiochip*")):
        pytest.fail("this test needs a machine without GPIO")
    env = os.environ | {
        "KYUSUI_AGENT_CONFIG": str(tmp_path / "none.toml"),
        "KYUSUI_AGENT_STATION_ID": "st-gpio",
        "KYUSUI_AGENT_SENSOR": "dht22",
        "KYUSUI_AGENT_STATE_DIR": str(tmp_path / "state"),
    }
    result = subprocess.run(
        [BIN / "kyusui-agent"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 78  # the unit's RestartPreventExitStatus: no restart loop
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("kyusui-agent: この機器には GPIO がない")
    assert "AttributeError" not in result.stderr
