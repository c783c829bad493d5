"""A complete local station network: broker, ingest, API and simulated stations."""

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from devnet.agent import simulated_agent_env
from devnet.children import Children
from devnet.mosquitto import Mosquitto
from devnet.places import site_settings
from devnet.ports import free_port, wait_for_port
from provisioning.keys import PRIVATE_NAME, PUBLIC_NAME, generate_keypair

SERVER_USER = "kyusui-server"
ADMIN_LOGIN = "admin"
EXIT_EXISTS = 3  # kyusui-api user add: the login is taken (a workdir used before)


@dataclass(frozen=True)
class StationSpec:
    id: str
    area: str
    seed: int
    name_ja: str = ""
    name_en: str = ""


DEMO_STATIONS = (
    StationSpec("yokohama-naka-01", "naka", 1, "中区役所前 給水所", "Naka Ward Office"),
    StationSpec("yokohama-naka-02", "naka", 2, "山下公園 まちの給水所", "Yamashita Park"),
    StationSpec("yokohama-kohoku-01", "kohoku", 3, "綱島駅前 給水所", "Tsunashima Station"),
)


@dataclass
class StationNetwork:
    workdir: Path
    stations: tuple[StationSpec, ...] = DEMO_STATIONS
    reading_interval_s: float = 5.0
    failure_rate: float = 0.03
    broker_port: int | None = None
    api_port: int | None = None
    broker: Mosquitto | None = None
    # The Ministry's site, or a local file server standing in for it: runs kyusui-official.
    official_url: str | None = None
    children: Children = field(init=False)
    passwords: dict[str, str] = field(default_factory=dict)
    # An admin API token the server seeds at start, so the demo and tests can call the API.
    api_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # A console admin created for each run with ``kyusui-api user add``.
    admin_login: str = ADMIN_LOGIN
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(15))

    def __post_init__(self) -> None:
        self.children = Children(self.workdir / "logs")
        self.passwords = {SERVER_USER: secrets.token_urlsafe(16)} | {
            s.id: secrets.token_urlsafe(16) for s in self.stations
        }

    @property
    def keys_dir(self) -> Path:
        """The server's content-signing key pair: it signs notices, stations verify them."""
        return self.workdir / "keys"

    def ensure_signing_keys(self) -> None:
        """A key pair for this network, made once and kept with its workdir."""
        if not (self.keys_dir / PRIVATE_NAME).exists():
            generate_keypair(self.keys_dir)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def console_url(self) -> str:
        return f"{self.api_url}/"

    def server_env(self) -> dict[str, str]:
        assert self.broker is not None
        assert self.broker.port is not None
        return {
            "KYUSUI_SERVER_CONFIG": str(self.workdir / "server.toml"),
            "KYUSUI_SERVER_BROKER_PORT": str(self.broker.port),
            "KYUSUI_SERVER_BROKER_USERNAME": SERVER_USER,
            "KYUSUI_SERVER_BROKER_PASSWORD": self.passwords[SERVER_USER],
            "KYUSUI_SERVER_TIMESERIES_PATH": str(self.workdir / "timeseries.sqlite"),
            "KYUSUI_SERVER_REGISTRY_PATH": str(self.workdir / "registry.sqlite"),
            "KYUSUI_SERVER_API_PORT": str(self.api_port),
            "KYUSUI_SERVER_BOOTSTRAP_TOKEN": self.api_token,
            "KYUSUI_SERVER_SIGNING_KEY_FILE": str(self.keys_dir / PRIVATE_NAME),
        }

    def station_env(self, spec: StationSpec) -> dict[str, str]:
        assert self.broker is not None
        assert self.broker.port is not None
        return simulated_agent_env(
            spec.id,
            spec.area,
            self.broker.port,
            self.passwords[spec.id],
            self.workdir / "stations" / spec.id,
            config_file=self.workdir / f"{spec.id}.toml",
            name_ja=spec.name_ja,
            name_en=spec.name_en,
            simulation_seed=str(spec.seed),
            simulation_failure_rate=str(self.failure_rate),
            reading_interval_s=str(self.reading_interval_s),
            content_keys_file=str(self.keys_dir / PUBLIC_NAME),
            **site_settings(spec.id),
        )

    def start_broker(self) -> None:
        self.broker = Mosquitto(
            self.workdir / "broker",
            accounts=dict(self.passwords),
            station_areas={s.id: s.area for s in self.stations},
            server_user=SERVER_USER,
            port=self.broker_port,
            preferred_port=18830,
        ).start()

    def create_admin(self, env: dict[str, str]) -> None:
        """The run's console admin, through the CLI an operator uses; a new password each run."""
        cli = [sys.executable, "-m", "server.api", "user"]
        add = [*cli, "add", self.admin_login, "--role", "admin", "--name", "デモ管理者"]
        for command in (add, [*cli, "passwd", self.admin_login]):
            self.children.logdir.mkdir(parents=True, exist_ok=True)
            with (self.children.logdir / "admin.log").open("ab") as log:
                done = subprocess.run(
                    [*command, "--password-stdin"],
                    input=f"{self.admin_password}\n".encode(),
                    env={**os.environ, **env},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    check=False,
                )
            if done.returncode != EXIT_EXISTS:
                break
        if done.returncode != 0:
            raise RuntimeError(f"could not create the console admin; see {log.name}")

    def start_server(self) -> None:
        self.api_port = self.api_port or free_port(8000)
        env = self.server_env()
        self.create_admin(env)
        self.children.start_module("ingest", "server.ingest", env)
        self.children.start_module("api", "server.api", env)
        if self.official_url:
            official = env | {
                "KYUSUI_SERVER_OFFICIAL_BASE_URL": self.official_url,
                "KYUSUI_SERVER_OFFICIAL_POLL_S": "30",
            }
            self.children.start_module("official", "server.official", official)
        wait_for_port(self.api_port, timeout_s=30)

    def start_station(self, spec: StationSpec) -> None:
        self.children.start_module(spec.id, "sensors", self.station_env(spec))

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ensure_signing_keys()
        self.start_broker()
        self.start_server()
        for spec in self.stations:
            self.start_station(spec)
        if self.stations and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            self.start_kiosk(self.stations[0])

    def start_kiosk(self, spec: StationSpec) -> None:
        """The station's touchscreen in a window, reading that station's local state."""
        state_dir = self.station_env(spec)["KYUSUI_AGENT_STATE_DIR"]
        self.children.start_module("kiosk", "kiosk", {"KYUSUI_KIOSK_STATE_DIR": state_dir})

    def stop(self) -> None:
        self.children.stop()
        if self.broker is not None:
            self.broker.stop()
