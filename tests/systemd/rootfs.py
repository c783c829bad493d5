"""A Debian 12 root file system for booting under ``systemd-nspawn``, cached outside the repository.

Built once with debootstrap (about 70 s, 300 MB) into ``$KYUSUI_TEST_CACHE`` (default
``/var/cache/kyusui-test``); every test run boots a fresh copy of it, so runs start clean.
"""

import os
import shutil
import subprocess
from pathlib import Path

CACHE = Path(os.environ.get("KYUSUI_TEST_CACHE", "/var/cache/kyusui-test"))
SUITE = "bookworm"
PACKAGES = (
    "systemd", "systemd-sysv", "dbus", "python3", "python3-venv", "ca-certificates",
    "procps",  # /bin/kill (Mosquitto's ExecReload), as on every non-minimal Debian
    "mosquitto",  # for the server install; disabled until the server installer enables it
)  # fmt: skip


def cached_rootfs() -> Path:
    """The cached root file system, built when missing (or when its package list changed)."""
    root = CACHE / f"rootfs-{SUITE}"
    stamp = root / ".kyusui-packages"
    wanted = " ".join(PACKAGES)
    if stamp.is_file() and stamp.read_text() == wanted:
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    building = CACHE / f"rootfs-{SUITE}.building"
    shutil.rmtree(building, ignore_errors=True)
    result = subprocess.run(
        ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, building],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"debootstrap {SUITE} failed:\n{result.stdout[-3000:]}{result.stderr}")
    # The machine shares the host's network: a broker started by default would take 1883.
    subprocess.run(["systemctl", f"--root={building}", "disable", "mosquitto.service"], check=True)
    (building / ".kyusui-packages").write_text(wanted)
    shutil.rmtree(root, ignore_errors=True)
    building.rename(root)
    return root


def fresh_copy(destination: Path) -> Path:
    """A private copy of the cached root file system for one test run."""
    subprocess.run(["cp", "-a", "--reflink=auto", cached_rootfs(), destination], check=True)
    return destination
