"""A private Mosquitto broker: passwords, the station ACL, persistence, on a loopback port.

Passwords and ACL are written exactly as provisioning writes them for production.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from devnet.ports import free_port, wait_for_port
from devnet.processes import stop_process
from provisioning.acl import acl_file
from provisioning.passwords import mosquitto_password_line

INSTALL_HINT = "Mosquitto is not installed: run 'sudo apt-get install mosquitto'"


@dataclass
class Mosquitto:
    """One broker child process; ``start()`` then ``stop()`` (or use as a context manager)."""

    workdir: Path
    accounts: dict[str, str] = field(default_factory=dict)  # user → password
    station_areas: dict[str, str | None] = field(default_factory=dict)
    extra_password_lines: list[str] = field(default_factory=list)  # already hashed
    extra_acl: str = ""
    server_user: str = "kyusui-server"
    port: int | None = None
    preferred_port: int | None = None
    # More addresses to listen on (the same port), e.g. a test network namespace's link.
    extra_addresses: list[str] = field(default_factory=list)
    # Per listener, as provisioning's broker_limits sizes it for a fleet; None: unlimited.
    max_connections: int | None = None
    # Seconds between saves of the persistence file; None: Mosquitto's default (30 min),
    # as the shipped configuration leaves it.
    autosave_interval_s: int | None = 1
    # QoS 1 messages the broker keeps per offline session (and beyond the in-flight window
    # of an online one); more are dropped. 0: no limit.
    max_queued_messages: int = 100_000
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "data").mkdir(exist_ok=True)
        passwd = self.workdir / "passwd"
        passwd.write_text(
            "".join(f"{mosquitto_password_line(u, p)}\n" for u, p in self.accounts.items())
            + "".join(f"{line.strip()}\n" for line in self.extra_password_lines)
        )
        acl = self.workdir / "acl"
        acl.write_text(self.extra_acl + "\n" + acl_file(self.server_user, self.station_areas))
        limit = [] if self.max_connections is None else [f"max_connections {self.max_connections}"]
        listeners = [
            line
            for address in ["127.0.0.1", *self.extra_addresses]
            for line in (f"listener {self.port} {address}", *limit)
        ]
        autosave = [] if self.autosave_interval_s is None else [self.autosave_interval_s]
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            "\n".join(
                [
                    *listeners,
                    "allow_anonymous false",
                    f"password_file {passwd}",
                    f"acl_file {acl}",
                    "persistence true",
                    f"persistence_location {self.workdir / 'data'}/",
                    *(f"autosave_interval {s}" for s in autosave),
                    f"max_queued_messages {self.max_queued_messages}",
                    # A private broker runs as whoever starts it; a root start would otherwise
                    # drop to user mosquitto, who cannot read a test's private temp dir.
                    *(["user root"] if os.geteuid() == 0 else []),
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    "",
                ]
            )
        )
        return conf

    def start(self) -> "Mosquitto":
        if shutil.which("mosquitto") is None:
            raise RuntimeError(INSTALL_HINT)
        if self.port is None:
            self.port = free_port(self.preferred_port)
        self._launch(self._write_config())
        return self

    def restart(self) -> "Mosquitto":
        """Start again on the same port with the files already written (its persistence
        file as the last save left it)."""
        self._launch(self.workdir / "mosquitto.conf")
        return self

    def _launch(self, conf: Path) -> None:
        assert self.port is not None
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

    def stop(self) -> None:
        stop_process(self.process)
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
