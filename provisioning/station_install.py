"""``kyusui-provision install-station BUNDLE``: make this machine a reporting station.

Run as root by ``scripts/install-station`` once the venv under ``/opt/kyusui`` holds the
station's packages. Creates the service user and groups, puts config and keys in place with
owners and modes only the service can read, installs and enables the units, (re)starts the
agent and waits until it has reported once. Running it again changes nothing that is already
right, restarts the agent only when its files or code changed, and never touches the outbox
or the station's state in ``/var/lib/kyusui``.
"""

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import tomli_w

from provisioning.enrol import ETC, STATE_DIR
from provisioning.progress import Progress
from provisioning.system import (
    SERVICE_USER,
    ensure_dir,
    ensure_user,
    install_units,
    journal_tail,
    link_command,
    put_file,
    run,
    systemctl,
    unit_state,
)
from sensors.gpio.parts import check_sensor_available
from sensors.settings import AgentSettings

AGENT = "kyusui-agent.service"
KIOSK = "kyusui-kiosk.service"
RELEASE_STAMP = Path("/opt/kyusui/.installed-release")


def station_config(bundle: Path, sensor: str | None) -> bytes:
    source = bundle / "agent.toml"
    if not source.is_file():
        raise FileNotFoundError(f"{bundle} has no agent.toml: is it an enrolment bundle?")
    config = tomllib.loads(source.read_text(encoding="utf-8"))
    if sensor is not None:
        config["sensor"] = sensor
    if in_container() and "clock_check" not in config:
        # A container cannot ask the kernel about NTP; its clock is its host's.
        config["clock_check"] = "trust"
    check_sensor_available(AgentSettings.model_validate(config))
    return tomli_w.dumps(config).encode("utf-8")


def in_container() -> bool:
    result = subprocess.run(
        ["systemd-detect-virt", "--container"], capture_output=True, text=True, check=False
    )
    return result.returncode == 0 and result.stdout.strip() not in ("", "none")


def release_fingerprint() -> str:
    """Changes whenever the installed code does: the wheel's RECORD holds every file's hash."""
    record = importlib.metadata.distribution("kyusui").read_text("RECORD") or ""
    version = importlib.metadata.version("kyusui")
    return f"{version} {hashlib.sha256(record.encode()).hexdigest()[:16]}"


def put_station_files(bundle: Path, config: bytes) -> bool:
    changed = ensure_dir(ETC, 0o750, "root", SERVICE_USER)
    changed |= put_file(ETC / "agent.toml", config, 0o640, "root", SERVICE_USER)
    for name in ("content-keys.pem", "broker-ca.pem"):
        if (bundle / name).is_file():
            changed |= put_file(ETC / name, (bundle / name).read_bytes(), 0o644)
    changed |= ensure_dir(STATE_DIR, 0o770, SERVICE_USER, SERVICE_USER)
    return changed


def read_progress_as_service_user() -> Progress:
    out = run(
        "runuser", "-u", SERVICE_USER, "--", sys.executable, "-m",
        "provisioning.progress", str(STATE_DIR),
    )  # fmt: skip
    return Progress(**json.loads(out))


def diagnosis(progress: Progress) -> str:
    if not progress.clock_synced:
        return (
            "時刻が同期していないため、測定値を保留しています (NTP を確認) / the clock is not"
            " synchronised, so readings are held back: check NTP (timedatectl)"
        )
    if progress.network != "online":
        return "ブローカーに接続できません / the agent cannot connect to the broker"
    if progress.latest is None:
        return "センサーの測定値がまだありません / no reading from the sensor yet"
    return f"{progress.outbox} 件が未送信です / {progress.outbox} readings not yet acknowledged"


def wait_until_reported(wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    progress = Progress()
    while time.monotonic() < deadline:
        state = unit_state(AGENT)
        if state == "failed":
            break
        if state == "active":
            progress = read_progress_as_service_user()
            if progress.reported:
                print("局が報告しました / the station has reported")
                return
        time.sleep(2)
    raise RuntimeError(
        f"{AGENT} is {unit_state(AGENT)}: {diagnosis(progress)}\n{journal_tail(AGENT)}"
    )


def install_station(bundle: Path, sensor: str | None = None, wait_s: float = 180.0) -> None:
    if os.geteuid() != 0:
        raise PermissionError("install-station は root で実行してください / run as root (sudo)")
    config = station_config(bundle, sensor)
    changed = ensure_user(SERVICE_USER, STATE_DIR, ("gpio",))
    changed |= put_station_files(bundle, config)
    link_command("kyusui-provision")
    units = (AGENT, KIOSK)
    changed |= install_units(units)
    systemctl("enable", AGENT)
    if importlib.util.find_spec("kivy") is not None:
        systemctl("enable", KIOSK)
    release = release_fingerprint()
    RELEASE_STAMP.parent.mkdir(parents=True, exist_ok=True)
    old_release = RELEASE_STAMP.read_text() if RELEASE_STAMP.exists() else ""
    if changed or release != old_release or unit_state(AGENT) != "active":
        systemctl("restart", AGENT)
        put_file(RELEASE_STAMP, release.encode(), 0o644)
        print(f"{AGENT} を起動しました / started {AGENT} ({release})")
    else:
        print("変更はありません / nothing to change")
    if wait_s > 0:
        wait_until_reported(wait_s)
