"""The agent as systemd runs it: readiness, watchdog, a clean stop on SIGTERM, the unit file."""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest

from devnet.mosquitto import Mosquitto
from tests.agent.conftest import Listener, wait_until
from tests.agent.process import agent_env, start_agent

UNIT = Path(__file__).resolve().parents[2] / "systemd" / "kyusui-agent.service"


def test_agent_notifies_ready_and_watchdog_and_stops_cleanly_on_sigterm(
    broker: Mosquitto, listener: Listener, tmp_path: Path
) -> None:
    notify_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify_path))
    sock.settimeout(15)
    env = agent_env(
        broker,
        tmp_path / "state",
        NOTIFY_SOCKET=str(notify_path),
        WATCHDOG_USEC="300000",
        KYUSUI_AGENT_READING_INTERVAL_S="0.5",
    )
    process = start_agent(env, tmp_path / "agent.log")
    try:
        received: list[str] = []
        while received.count("WATCHDOG=1") < 3:
            received += sock.recv(4096).decode().splitlines()
        assert received[0] == "READY=1"
        assert wait_until(lambda: bool(listener.readings())), listener.messages
        process.send_signal(signal.SIGTERM)
        while "STOPPING=1" not in received:
            received += sock.recv(4096).decode().splitlines()
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        sock.close()
    assert wait_until(lambda: listener.payloads("status")[-1].get("clean") is True)
    assert listener.payloads("status")[-1]["state"] == "offline"
    log = (tmp_path / "agent.log").read_text()
    assert "broker_password': '***'" in log, "the effective config is logged with secrets masked"
    assert env["KYUSUI_AGENT_BROKER_PASSWORD"] not in log


def test_the_systemd_unit_is_valid_and_sandboxed(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "systemd-analyze is missing: apt-get install systemd"
    text = UNIT.read_text()
    for line in (
        "Type=notify",
        "WatchdogSec=",
        "Restart=always",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/kyusui",
        "NoNewPrivileges=true",
        "PrivateTmp=true",
        "SupplementaryGroups=gpio",
    ):
        assert line in text
    # verify needs ExecStart's program to exist; everything else is the shipped unit.
    executable = next(
        line.split("=", 1)[1] for line in text.splitlines() if line.startswith("ExecStart=")
    )
    local = tmp_path / UNIT.name
    local.write_text(text.replace(executable, os.path.realpath(shutil.which("true") or "")))
    done = subprocess.run(
        [analyze, "verify", str(local)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0
    assert (done.stdout + done.stderr).strip() == "", "systemd-analyze warned"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_leaves_no_acknowledged_reading_in_the_outbox(
    broker: Mosquitto, listener: Listener, tmp_path: Path, signum: int
) -> None:
    env = agent_env(broker, tmp_path / "state")
    process = start_agent(env, tmp_path / "agent.log")
    assert wait_until(lambda: len(listener.readings()) >= 10, timeout_s=20)
    process.send_signal(signum)
    assert process.wait(15) == 0
    conn = sqlite3.connect(tmp_path / "state" / "agent.sqlite")
    left = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    written = conn.execute("SELECT seq FROM sqlite_sequence").fetchone()[0]
    conn.close()
    assert left + len({r["ts"] for r in listener.readings()}) == written
