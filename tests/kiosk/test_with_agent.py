"""The kiosk on the file the real station agent writes (fake sensor, no broker reachable)."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract.levels import ordered_levels
from devnet.ports import free_port
from kiosk.source import StateSource
from tests.kiosk.conftest import REPO, run_driver
from tests.kiosk.screens import close_to, hex_rgb, inside_left_edge, pixel

NAME_JA = "テスト公園給水所"
NAME_ZH = "测试公园供水站"


@pytest.fixture
def agent_state(tmp_path: Path) -> Iterator[Path]:
    """A running agent's state directory, once the agent has written its first reading."""
    state_dir = tmp_path / "station"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KYUSUI_")},
        "KYUSUI_AGENT_CONFIG": str(tmp_path / "none.toml"),
        "KYUSUI_AGENT_STATION_ID": "st-kiosk-01",
        "KYUSUI_AGENT_NAME_JA": NAME_JA,
        "KYUSUI_AGENT_NAME_EN": "Test park water station",
        "KYUSUI_AGENT_NAMES": json.dumps({"zh": NAME_ZH}, ensure_ascii=False),
        "KYUSUI_AGENT_STATE_DIR": str(state_dir),
        "KYUSUI_AGENT_SENSOR": "fake",
        "KYUSUI_AGENT_SIMULATION_FAILURE_RATE": "0",
        "KYUSUI_AGENT_READING_INTERVAL_S": "1",
        "KYUSUI_AGENT_BROKER_PORT": str(free_port(21000)),  # nobody listens: offline
        "KYUSUI_AGENT_CLOCK_CHECK": "trust",
        "KYUSUI_AGENT_DISPLAY_ON_START": "00:00",
        "KYUSUI_AGENT_DISPLAY_ON_END": "00:00",
    }
    log = (tmp_path / "agent.log").open("wb")
    agent = subprocess.Popen(
        [sys.executable, "-m", "sensors"], cwd=REPO, env=env, stdout=log, stderr=log
    )
    try:
        source = StateSource(state_dir)
        deadline = time.monotonic() + 60
        while True:
            snap = source.snapshot()
            if snap is not None and snap.latest is not None and snap.latest.wbgt is not None:
                break
            if agent.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the agent wrote no reading: {(tmp_path / 'agent.log').read_text()}")
            time.sleep(0.5)
        source.close()
        yield state_dir
    finally:
        agent.terminate()
        try:
            agent.wait(15)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait()
        log.close()


def test_the_kiosk_shows_what_the_running_agent_measures(
    xvfb_display: str, tmp_path: Path, agent_state: Path
) -> None:
    steps: list[dict[str, Any]] = [
        {"op": "advance", "s": 0},
        {"op": "shot", "name": "from-agent"},
        {"op": "touch", "target": "lang:zh"},
        {"op": "shot", "name": "chinese"},
        {"op": "touch", "target": "lang:ko"},
        {"op": "shot", "name": "korean"},
    ]
    shots = run_driver(
        xvfb_display, tmp_path, "with-agent", steps, state_dir=agent_state, burn_in_shift_px=0
    )["shots"]
    shot = shots["from-agent"]
    # The station's own name in each language the agent was given; English for the others.
    assert shots["chinese"]["view"]["station_name"] == NAME_ZH
    assert shots["korean"]["view"]["station_name"] == "Test park water station"
    view = shot["view"]
    assert view["station_name"] == NAME_JA
    assert view["offline_text"] == "オフライン"  # no broker, and the screen still works
    [level] = [lv for lv in ordered_levels() if lv.info.name_ja == view["level_word"]]
    assert close_to(pixel(shot, *inside_left_edge(shot, "band")), hex_rgb(level.info.colour))
    assert view["wbgt_text"] != "—"
