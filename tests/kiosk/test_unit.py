"""The kiosk's systemd unit: valid, sandboxed, full screen under cage, restarted on a hang."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "systemd" / "kyusui-kiosk.service"
MAX_EXPOSURE = 2.0  # systemd-analyze security: 0 is locked down, 10 is exposed


@pytest.fixture
def checkable_unit(tmp_path: Path) -> Path:
    """The unit with its ExecStart pointed at a binary that exists here (verify needs one);
    cage and the Pi's install path are not on a build machine."""
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: apt-get install systemd")
    text = UNIT.read_text()
    copy = tmp_path / UNIT.name
    copy.write_text(re.sub(r"^ExecStart=.*$", "ExecStart=/bin/true", text, flags=re.M))
    return copy


def test_the_unit_runs_the_kiosk_full_screen_in_cage_with_a_watchdog() -> None:
    lines = UNIT.read_text().splitlines()
    exec_start = next(line for line in lines if line.startswith("ExecStart="))
    assert exec_start.startswith("ExecStart=/usr/bin/cage ")
    assert exec_start.endswith("/kyusui-kiosk")
    assert " -s" not in exec_start  # no switching to another terminal
    for setting in ("Type=notify", "Restart=always", "PrivateNetwork=true", "NotifyAccess=all"):
        assert setting in lines, setting
    assert any(line.startswith("WatchdogSec=") for line in lines)


def test_systemd_accepts_the_unit_without_a_single_warning(checkable_unit: Path) -> None:
    done = subprocess.run(
        ["systemd-analyze", "verify", str(checkable_unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout + done.stderr == ""


def test_the_unit_is_sandboxed(checkable_unit: Path) -> None:
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(checkable_unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= MAX_EXPOSURE
