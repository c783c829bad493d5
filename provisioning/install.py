"""First boot on the Pi: put a bundle's files where the agent and kiosk expect them."""

import os
import shutil
from pathlib import Path

from provisioning.enrol import ETC, STATE_DIR

STATION_FILES = {  # bundle file → (installed path, mode)
    "agent.toml": (ETC / "agent.toml", 0o600),
    "content-keys.pem": (ETC / "content-keys.pem", 0o644),
    "broker-ca.pem": (ETC / "broker-ca.pem", 0o644),
}
UNITS = ("kyusui-agent.service", "kyusui-kiosk.service")


def _under(root: Path, path: Path) -> Path:
    return root / path.relative_to("/")


def install_bundle(bundle: Path, root: Path = Path("/")) -> list[Path]:
    """Copy the station part of ``bundle`` under ``root``; return the files written.

    Writes each file beside its target first and renames it into place, so a power cut
    during first boot leaves either the old file or the new one.
    """
    if not (bundle / "agent.toml").is_file():
        raise FileNotFoundError(f"{bundle} has no agent.toml: is it an enrolment bundle?")
    written: list[Path] = []
    for name, (target, mode) in STATION_FILES.items():
        source = bundle / name
        if not source.exists():
            continue
        destination = _under(root, target)
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".new")
        shutil.copyfile(source, partial)
        os.chmod(partial, mode)
        partial.replace(destination)
        written.append(destination)
    _under(root, STATE_DIR).mkdir(parents=True, exist_ok=True, mode=0o750)
    return written
