"""A station installed for real: enrolled against a test server on the host, installed inside
a booted Debian 12 container with the project's installer, reporting under systemd."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from devnet.network import StationNetwork
from tests.e2e.helpers import wait_for as e2e_wait_for
from tests.provisioning.helpers import api, enrol, provisioning_env, test_server
from tests.systemd.container import Machine
from tests.systemd.rootfs import CACHE, cached_rootfs

REPO = Path(__file__).resolve().parents[2]
PIP_CACHE = CACHE / "pip"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")  # the host's trust, for pip inside
INSTALL_ENV = {"PIP_CERT": "/etc/ssl/host-ca.crt", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], timeout_s: float = 60) -> T:
    """A machine under systemd-nspawn is slow: a minute by default, asking every 0.5 s."""
    return e2e_wait_for(what, probe, timeout_s, step_s=0.5)


def checkout(destination: Path) -> Path:
    """The files a `git clone` of this tree would give (committed or not, never ignored)."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def build_wheel(out: Path) -> Path:
    """The project's own wheel, built from a copy of this checkout (the build writes there)."""
    source = checkout(out / "source")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("kyusui-*.whl"))


def boot(root_log: Path, **read_only: Path) -> Machine:
    PIP_CACHE.mkdir(parents=True, exist_ok=True)
    binds = {PIP_CACHE: "/root/.cache/pip"}
    ro = {REPO: "/src", HOST_CA: "/etc/ssl/host-ca.crt"} | {
        path: f"/{name}" for name, path in read_only.items()
    }
    return Machine(cached_rootfs(), root_log, binds=binds, read_only=ro).boot()


@dataclass
class Station:
    id: str
    server: StationNetwork
    machine: Machine
    wheel: Path
    enrol_to_first_reading_s: float

    def install(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.machine.run(
            "/src/scripts/install-station", "--wheel", f"/wheels/{self.wheel.name}", "/bundle",
            *extra, env=INSTALL_ENV, check=False, timeout_s=900,
        )  # fmt: skip

    def stored_times(self) -> set[int]:
        from tests.e2e.helpers import epoch_ms

        status, readings = api(self.server, "GET", f"/stations/{self.id}/readings")
        assert status == 200, readings
        return {epoch_ms(r["time"]) for r in readings}

    def outbox_times(self) -> list[int]:
        code = (
            "import sqlite3; c = sqlite3.connect('file:/var/lib/kyusui/agent.sqlite?mode=ro',"
            " uri=True); print([r[0] for r in c.execute('SELECT ts FROM outbox ORDER BY id')])"
        )
        out = self.machine.run("/opt/kyusui/venv/bin/python", "-c", code, user="kyusui")
        return list(json.loads(out.stdout))

    def unit(self, *properties: str) -> dict[str, str]:
        out = self.machine.run(
            "systemctl", "show", "kyusui-agent.service", *[f"-p{p}" for p in properties]
        ).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def journal(self) -> str:
        return self.machine.run(
            "journalctl", "-u", "kyusui-agent", "--no-pager", "-o", "cat", check=False
        ).stdout


@contextmanager
def installed_station(workdir: Path, station_id: str, wheel: Path) -> Iterator[Station]:
    with test_server(workdir / "server") as server, provisioning_env(server):
        enrolled_at = time.monotonic()
        assert enrol(station_id, workdir / "bundle", "--sensor", "fake") == 0
        with (workdir / "bundle/agent.toml").open("a") as config:
            config.write("reading_interval_s = 2.0\n")  # a reading every 2 s keeps tests short
        machine = boot(workdir / "console.log", wheels=wheel.parent, bundle=workdir / "bundle")
        try:
            station = Station(station_id, server, machine, wheel, 0.0)
            result = station.install()
            assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
            wait_for("a stored reading", lambda: station.stored_times() or None)
            station.enrol_to_first_reading_s = time.monotonic() - enrolled_at
            (workdir / "timing.json").write_text(
                json.dumps({"enrol_to_first_stored_reading_s": station.enrol_to_first_reading_s})
            )
            yield station
        finally:
            machine.poweroff()


@contextmanager
def broker_frozen(server: StationNetwork) -> Iterator[None]:
    """The broker stops answering (SIGSTOP), as on a network outage, then comes back."""
    assert server.broker is not None
    assert server.broker.process is not None
    pid = server.broker.process.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)
