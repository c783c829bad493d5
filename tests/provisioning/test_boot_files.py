"""``enrol --boot-files`` writes what cloud-init reads from the SD card's boot partition."""

import json
import secrets
import subprocess
from pathlib import Path

import pytest

from devnet.network import StationNetwork
from tests.provisioning.helpers import enrol

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with Debian's cloud-init modules


def cloud_init_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["cloud-init", "schema", "--config-file", str(path)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def parsed_network_config(path: Path) -> dict[str, object]:
    """The network config as cloud-init itself understands it (its own parser)."""
    code = (
        "import json, sys, yaml\n"
        "from cloudinit.net.network_state import parse_net_config_data\n"
        "data = yaml.safe_load(open(sys.argv[1]))\n"
        "print(json.dumps(parse_net_config_data(data['network']).config))\n"
    )
    result = subprocess.run(
        [SYSTEM_PYTHON, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return dict(json.loads(result.stdout))


@pytest.fixture
def boot(server: StationNetwork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    wheel = tmp_path / "kyusui-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK")  # stands for the release the technician copies
    monkeypatch.setenv("KYUSUI_WIFI_PASSWORD", 'ward "secret"')
    args = ["--boot-files", str(tmp_path / "boot"), "--wheel", str(wheel)]
    station = f"naka-sd-{secrets.token_hex(3)}"  # each test enrols its own station
    assert enrol(station, tmp_path / "bundle", *args, "--wifi-ssid", "ward-net") == 0
    return tmp_path / "boot"


def test_user_data_is_valid_cloud_config_that_runs_the_installer(boot: Path) -> None:
    result = cloud_init_schema(boot / "user-data")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid cloud-config" in result.stdout
    text = (boot / "user-data").read_text()
    assert text.startswith("#cloud-config\n")
    assert "sh /boot/firmware/kyusui/install.sh station --wheel" in text
    assert "&& rm -rf /boot/firmware/kyusui/bundle" in text  # the password leaves the card


def test_the_validator_would_notice_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "user-data"
    broken.write_text("#cloud-config\nruncmd: install-station\n")
    assert cloud_init_schema(broken).returncode != 0


def test_network_config_brings_up_ethernet_and_the_wards_wifi(boot: Path) -> None:
    config = parsed_network_config(boot / "network-config")
    assert config["ethernets"] == {"eth0": {"dhcp4": True, "optional": True}}
    wifi = config["wifis"]["wlan0"]  # type: ignore[index]
    assert wifi["access-points"] == {"ward-net": {"password": 'ward "secret"'}}


def test_the_card_carries_bundle_installer_and_release(boot: Path) -> None:
    meta = (boot / "meta-data").read_text()
    assert meta.startswith("instance-id: kyusui-naka-sd-")
    folder = boot / "kyusui"
    assert (folder / "bundle" / "agent.toml").is_file()
    assert (folder / "kyusui-0.1.0-py3-none-any.whl").is_file()
    assert (folder / "install.sh").read_text().startswith("#!/bin/sh")
