"""A private Mosquitto broker: passwords, the station ACL, persistence, on a loopback port.

The ACL is the production one (docs/protocol.md): a station publishes only under its own
``kyusui/v1/st/{id}/`` and reads its own, its area's and the ``all`` content; only the
server account publishes content.
"""

import os
import pwd
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devnet.ports import free_port, wait_for_port

INSTALL_HINT = "Mosquitto is not installed: run 'sudo apt-get install mosquitto mosquitto-clients'"


def station_acl(server_user: str, station_areas: Mapping[str, str | None]) -> str:
    lines = [
        f"user {server_user}",
        "topic readwrite kyusui/v1/#",
        "topic readwrite $share/#",
        "",
    ]
    for station, area in station_areas.items():
        if area:
            lines += [f"user {station}", f"topic read kyusui/v1/area/{area}/#", ""]
    lines += [
        "pattern write kyusui/v1/st/%u/telemetry",
        "pattern write kyusui/v1/st/%u/health",
        "pattern write kyusui/v1/st/%u/status",
        "pattern write kyusui/v1/st/%u/receipts",
        "pattern write kyusui/v1/st/%u/cmd/result",
        "pattern read kyusui/v1/st/%u/#",
        "pattern read kyusui/v1/all/#",
        "",
    ]
    return "\n".join(lines)


@dataclass
class Mosquitto:
    """One broker child process; ``start()`` then ``stop()`` (or use as a context manager)."""

    workdir: Path
    accounts: dict[str, str] = field(default_factory=dict)  # user → password
    station_areas: dict[str, str | None] = field(default_factory=dict)
    server_user: str = "kyusui-server"
    port: int | None = None
    preferred_port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "data").mkdir(exist_ok=True)
        passwd = self.workdir / "passwd"
        passwd.write_text("")
        for user, password in self.accounts.items():
            subprocess.run(
                ["mosquitto_passwd", "-b", str(passwd), user, password],
                check=True,
                capture_output=True,
            )
        acl = self.workdir / "acl"
        acl.write_text(station_acl(self.server_user, self.station_areas))
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            "\n".join(
                [
                    f"listener {self.port} 127.0.0.1",
                    "allow_anonymous false",
                    f"password_file {passwd}",
                    f"acl_file {acl}",
                    "persistence true",
                    f"persistence_location {self.workdir / 'data'}/",
                    "autosave_interval 1",
                    "max_queued_messages 100000",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    "",
                ]
            )
        )
        self._hand_to_broker_user(passwd, acl, conf, self.workdir / "data")
        return conf

    def _hand_to_broker_user(self, *paths: Path) -> None:
        """Started as root, Mosquitto drops to user ``mosquitto``: let it read its files."""
        if os.geteuid() != 0:
            return
        try:
            entry = pwd.getpwnam("mosquitto")
        except KeyError:
            return
        for path in (self.workdir, *paths):
            os.chown(path, entry.pw_uid, entry.pw_gid)
            path.chmod(0o700 if path.is_dir() else 0o600)

    def start(self) -> "Mosquitto":
        if shutil.which("mosquitto") is None or shutil.which("mosquitto_passwd") is None:
            raise RuntimeError(INSTALL_HINT)
        if self.port is None:
            self.port = free_port(self.preferred_port)
        conf = self._write_config()
        log = (self.workdir / "mosquitto.log").open("ab")
        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise RuntimeError(
                f"mosquitto did not start; see {self.workdir / 'mosquitto.log'}"
            ) from None
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """Stop as a crash would: no clean shutdown."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def __enter__(self) -> "Mosquitto":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
