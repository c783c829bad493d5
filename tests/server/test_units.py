"""The server's systemd units: valid, sandboxed, and the processes really notify systemd."""

import os
import re
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from devnet.mosquitto import Mosquitto
from devnet.ports import free_port

UNITS = Path(__file__).resolve().parents[2] / "systemd"
MAX_EXPOSURE = 3.0  # systemd-analyze security: 0 is locked down, 10 is exposed


@pytest.fixture(params=["kyusui-ingest.service", "kyusui-api.service", "kyusui-official.service"])
def checkable_unit(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The unit with ExecStart pointed at a binary that exists here (verify needs one)."""
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: apt-get install systemd")
    name: str = request.param
    text = (UNITS / name).read_text()
    copy = tmp_path / name
    copy.write_text(re.sub(r"^ExecStart=.*$", "ExecStart=/bin/true", text, flags=re.M))
    return copy


def test_systemd_accepts_the_units_without_a_single_warning(checkable_unit: Path) -> None:
    done = subprocess.run(
        ["systemd-analyze", "verify", str(checkable_unit)], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    lines = checkable_unit.read_text().splitlines()
    for setting in ("Type=notify", "Restart=always", "WatchdogSec=60"):
        assert setting in lines, setting


def test_the_units_are_sandboxed(checkable_unit: Path) -> None:
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(checkable_unit)],
        capture_output=True,
        text=True,
    )
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= MAX_EXPOSURE


@pytest.mark.parametrize("module", ["server.ingest", "server.api", "server.official"])
def test_each_process_tells_systemd_it_is_ready_and_pings_the_watchdog(
    module: str, broker: Mosquitto, tmp_path: Path
) -> None:
    # AF_UNIX paths are short: use /tmp directly rather than pytest's long temp path.
    path = Path("/tmp") / f"kyusui-notify-{uuid.uuid4().hex[:8]}"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(path))
    receiver.settimeout(30)
    env = (
        os.environ
        | {
            "NOTIFY_SOCKET": str(path),
            "WATCHDOG_USEC": "600000",  # a ping at least every 0.2 s
            "KYUSUI_SERVER_CONFIG": str(tmp_path / "absent.toml"),
            "KYUSUI_SERVER_BROKER_PORT": str(broker.port),
            "KYUSUI_SERVER_BROKER_PASSWORD": broker.accounts["kyusui-server"],
            "KYUSUI_SERVER_TIMESERIES_PATH": str(tmp_path / "ts.sqlite"),
            "KYUSUI_SERVER_REGISTRY_PATH": str(tmp_path / "registry.sqlite"),
            "KYUSUI_SERVER_API_PORT": str(free_port()),
            "KYUSUI_SERVER_INGEST_GROUP": f"g{uuid.uuid4().hex[:6]}",
            # kyusui-official: a site that refuses connections, and no signing key
            "KYUSUI_SERVER_OFFICIAL_BASE_URL": f"http://127.0.0.1:{free_port()}/",
            "KYUSUI_SERVER_OFFICIAL_APPLY_ALERTS": "false",
        }
    )
    child = subprocess.Popen(
        [sys.executable, "-m", module],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        seen: list[str] = []
        while not ("READY=1" in seen and seen.count("WATCHDOG=1") >= 2):
            seen += receiver.recv(4096).decode().splitlines()
    finally:
        child.terminate()
        child.wait(15)
        receiver.close()
        path.unlink()
