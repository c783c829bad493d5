"""Files for the SD card's boot partition: cloud-init's ``user-data``, ``network-config``,
``meta-data``, and a ``kyusui/`` folder with the bundle and the installer.

Raspberry Pi OS since Trixie (and Debian's cloud images) run cloud-init on first boot, which
reads these three files from the boot partition. ``user-data`` runs the station installer with
the bundle, then deletes the bundle from the (world-readable, FAT) boot partition.
"""

import json
import shutil
import time
from pathlib import Path

BOOT_MOUNT = "/boot/firmware"  # where Raspberry Pi OS mounts the boot partition
INSTALLER = Path(__file__).with_name("install.sh")


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


FOLDER = f"{BOOT_MOUNT}/kyusui"


def first_boot_command(wheel_name: str | None) -> str:
    """Install the station from the boot partition; then delete the bundle from it.

    FAT has no execute bit, hence ``sh``. The bundle holds the station's broker password.
    """
    package = f"--wheel {FOLDER}/{wheel_name} " if wheel_name else ""
    return (
        f"sh {FOLDER}/install.sh station {package}{FOLDER}/bundle"
        f" > /var/log/kyusui-install.log 2>&1 && rm -rf {FOLDER}/bundle"
    )


def first_boot_unit(wheel_name: str | None) -> str:
    """For Bookworm images without cloud-init: Imager's firstrun.sh enables this unit."""
    return "\n".join(
        [
            "[Unit]",
            "Description=Kyusui: install the station from the boot partition (first boot)",
            "Wants=network-online.target",
            "After=network-online.target time-sync.target",
            f"ConditionPathExists={FOLDER}/bundle",
            "",
            "[Service]",
            "Type=oneshot",
            f"ExecStart=/bin/sh -c {_q(first_boot_command(wheel_name))}",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            "",
        ]
    )


def user_data(station_id: str, wheel_name: str | None) -> str:
    install = first_boot_command(wheel_name)
    return "\n".join(
        [
            "#cloud-config",
            f"# Kyusui station {station_id}: installs the station agent on first boot.",
            f"hostname: {_q(station_id)}",
            "manage_etc_hosts: true",
            "timezone: Asia/Tokyo",
            "package_update: true",
            "packages:",
            "  - python3-venv",
            "ntp:",
            "  enabled: true",
            "runcmd:",
            f"  - [sh, -c, {_q(install)}]",
            "",
        ]
    )


def network_config(wifi_ssid: str | None, wifi_password: str | None) -> str:
    lines = ["network:", "  version: 2", "  ethernets:", "    eth0:", "      dhcp4: true"]
    lines += ["      optional: true"]
    if wifi_ssid:
        lines += ["  wifis:", "    wlan0:", "      dhcp4: true", "      optional: true"]
        lines += ["      regulatory-domain: JP", "      access-points:"]
        lines += [f"        {_q(wifi_ssid)}:"]
        lines += [f"          password: {_q(wifi_password or '')}"]
    return "\n".join(lines) + "\n"


def meta_data(station_id: str) -> str:
    # A new instance id makes cloud-init run again on a card written for a new enrolment.
    return f"instance-id: kyusui-{station_id}-{int(time.time())}\nlocal-hostname: {station_id}\n"


def write_boot_files(
    bundle: Path,
    boot_dir: Path,
    station_id: str,
    wifi_ssid: str | None = None,
    wifi_password: str | None = None,
    wheel: Path | None = None,
) -> Path:
    """Write the first-boot files into ``boot_dir`` (the boot partition, or a folder for it)."""
    folder = boot_dir / "kyusui"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(bundle, folder / "bundle", dirs_exist_ok=True)
    shutil.copy2(INSTALLER, folder / "install.sh")
    if wheel is not None:
        shutil.copyfile(wheel, folder / wheel.name)
    (boot_dir / "user-data").write_text(
        user_data(station_id, wheel.name if wheel else None), encoding="utf-8"
    )
    (boot_dir / "network-config").write_text(network_config(wifi_ssid, wifi_password), "utf-8")
    (boot_dir / "meta-data").write_text(meta_data(station_id), encoding="utf-8")
    unit = first_boot_unit(wheel.name if wheel else None)
    (folder / "kyusui-firstboot.service").write_text(unit, encoding="utf-8")
    return boot_dir
