"""The backend's settings: ``/etc/kyusui/server.toml`` plus ``KYUSUI_SERVER_*``.

Ingest workers and API processes read the same file.
"""

import re
import socket
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, ClassVar, Self

from pydantic import BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from contract.settings import TomlSettings
from server.official.compare import YOKOHAMA, OfficialPoint

# Values that mean "nobody set this yet": refused in production.
PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "password", "admin", "token"})
# Directories a reboot empties (tmpfs on Debian and Raspberry Pi OS): no store may live there.
VOLATILE_DIRS = (Path("/tmp"), Path("/run"), Path("/dev/shm"), Path("/var/run"))


class TimeSeriesBackend(StrEnum):
    SQLITE = "sqlite"  # the embedded default
    INFLUXDB = "influxdb"  # influxdb-client: InfluxDB 2.x / 3.x / 1.8+ (url, org, bucket, token)
    INFLUXDB_V1 = "influxdb-v1"  # InfluxDB 1.x over /write and /query (database, rp, user)


class CookieSecure(StrEnum):
    AUTO = "auto"  # Secure when the request came over TLS (directly or from a trusted proxy)
    ALWAYS = "always"
    NEVER = "never"  # plain-HTTP tests only; refused in production


def _networks(value: object) -> object:
    """``"127.0.0.1, 10.0.0.0/8"`` (an environment variable) or a TOML list."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [ip_network(str(v), strict=False) for v in value]
    return value


Networks = Annotated[list[IPv4Network | IPv6Network], NoDecode, BeforeValidator(_networks)]


class ServerSettings(TomlSettings):
    model_config = SettingsConfigDict(env_prefix="KYUSUI_SERVER_", extra="forbid")
    default_config_file: ClassVar[str | None] = "/etc/kyusui/server.toml"

    # In production, secrets that are empty or obvious placeholders stop the process.
    production: bool = False

    broker_host: str = "127.0.0.1"
    broker_port: int = 1883
    broker_username: str = "kyusui-server"
    broker_password: SecretStr = SecretStr("")
    broker_ca_file: Path | None = None
    ingest_group: str = "ingest"
    # Unset: ``ingest-<host name>-<ingest_worker_index>``, the same at every start of this
    # worker on this host; give each worker of one host its own index (docs/server.md).
    ingest_client_id: str | None = Field(None, min_length=1, max_length=128)
    ingest_worker_index: int = Field(0, ge=0, le=9999)
    # 0: the broker forgets a worker's session when it disconnects, so a worker that never
    # comes back (its id changed) takes nothing more from the share group. What it had not
    # stored is sent again by the stations, which keep it until it is confirmed stored.
    ingest_session_expiry_s: int = Field(0, ge=0)
    # Publish ``…/stored`` after each batch's write: stations keep readings until then.
    ingest_confirm_stored: bool = True
    ingest_batch_size: int = Field(500, ge=1, le=10_000)
    ingest_batch_wait_s: float = Field(0.05, ge=0, le=5)
    ingest_retry_s: float = Field(2.0, gt=0, le=300)
    ingest_metrics_port: int = Field(0, ge=0, le=65_535)  # 0: no /metrics endpoint

    timeseries_backend: TimeSeriesBackend = TimeSeriesBackend.SQLITE
    timeseries_path: Path = Path("/var/lib/kyusui/timeseries.sqlite")
    # A reading dated more than this ahead of its arrival is flagged, never the "latest".
    future_tolerance_s: float = Field(300.0, ge=0)
    influx_url: str = "http://127.0.0.1:8086"
    influx_org: str = "kyusui"
    influx_bucket: str = "kyusui/raw"  # 1.x-style "database/retention-policy"
    influx_token: SecretStr = SecretStr("")
    influx_database: str = "kyusui"
    influx_retention_policy: str = "raw"
    influx_username: str = ""
    influx_password: SecretStr = SecretStr("")
    influx_raw_days: int = Field(30, ge=1)
    influx_rollup_days: int = Field(3650, ge=1)
    influx_timeout_s: float = Field(10.0, gt=0)
    # 10-minute history from the rollup that ingest keeps (docs/timeseries.md).
    influx_rollup_reads: bool = True

    # SQLAlchemy URL of the registry; unset: a SQLite file at registry_path.
    registry_url: SecretStr = SecretStr("")
    registry_path: Path = Path("/var/lib/kyusui/registry.sqlite")

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    offline_after_s: int = Field(300, ge=30)
    # The fleet view is computed at most once per this many seconds per API process.
    api_fleet_cache_s: float = Field(2.0, ge=0, le=60)
    # The fleet's change feed (``?since=``) looks back this much further than its cursor, so
    # an ingest transaction that committed late (dated before the cursor) is not missed.
    api_fleet_change_overlap_s: float = Field(10.0, ge=0, le=300)
    # A notice's picture: the largest upload taken, and the box it is re-encoded into (the
    # kiosk's panel; docs/server.md, "Notices with a picture").
    notice_image_upload_max_bytes: int = Field(8_000_000, ge=10_000, le=50_000_000)
    notice_image_width: int = Field(800, ge=64, le=7680)
    notice_image_height: int = Field(480, ge=64, le=4320)
    # When set, an admin API token with this value exists from start (demo, first install).
    bootstrap_token: SecretStr = SecretStr("")

    # Staff sign-in to the console (docs/server.md, "Staff sign-in").
    console_session_hours: float = Field(12.0, gt=0, le=24 * 31)
    console_cookie_secure: CookieSecure = CookieSecure.AUTO
    # Proxies whose X-Forwarded-Proto and X-Forwarded-For are believed (addresses or networks).
    trusted_proxies: Networks = Field(default_factory=lambda: [ip_network("127.0.0.1")])
    # After this many failed sign-ins in a row an account is locked for lockout_s, doubling
    # with each further failure up to lockout_max_s; a right password then resets the count.
    console_lockout_after: int = Field(5, ge=1, le=100)
    console_lockout_s: int = Field(60, ge=1)
    console_lockout_max_s: int = Field(3600, ge=1)
    # One client address may fail this often per window (over all accounts) before it waits.
    console_client_failures: int = Field(30, ge=1)
    console_client_window_s: int = Field(900, ge=1)

    # Staff console (docs/console.md). A tile URL such as "https://tiles.example/{z}/{x}/{y}.png"
    # adds the ward's base map; unset, stations are drawn on a plain background.
    console_tile_url: str = ""
    console_tile_attribution: str = ""
    # Where `npm ci` installed the front-end packages; unset: node_modules beside package.json.
    console_vendor_dir: Path | None = None

    # Ed25519 private key (PEM) that signs content for stations; unset: no publishing.
    signing_key_file: Path | None = None

    alert_webhook_url: str = ""
    alert_offline_after_s: int = Field(900, ge=60)
    alert_disk_free_mb: float = Field(200.0, ge=0)
    alert_outbox_depth: int = Field(100, ge=1)
    # A kiosk's 「具合の悪い人がいる」 raises at most one alert per station in this time.
    alert_help_every_s: int = Field(600, ge=0, le=86_400)
    alert_check_interval_s: float = Field(30.0, gt=0)

    # Official heat data (docs/official-data.md): the Ministry of the Environment's site.
    official_base_url: str = "https://www.wbgt.env.go.jp/"
    official_point: str = Field("46106", pattern=r"^\d{5}$")  # 横浜: the forecast shown
    # Stations are checked against the nearest of these; the first stands for stations
    # without a position.
    official_points: list[OfficialPoint] = Field(default_factory=lambda: [YOKOHAMA], min_length=1)
    official_bias_threshold_c: float = Field(1.5, gt=0, le=10)
    official_check_days: int = Field(3, ge=1, le=31)
    official_alert_area: str = Field("140000", pattern=r"^\d{6}$")  # 神奈川県
    official_apply_alerts: bool = True
    official_poll_s: float = Field(600.0, ge=30)
    official_timeout_s: float = Field(10.0, gt=0, le=120)

    @property
    def ingest_mqtt_client_id(self) -> str:
        """The worker's MQTT client id: stable across restarts unless set otherwise."""
        if self.ingest_client_id is not None:
            return self.ingest_client_id
        host = re.sub(r"[^a-z0-9-]+", "-", socket.gethostname().lower()).strip("-") or "host"
        return f"ingest-{host[:64]}-{self.ingest_worker_index}"

    @property
    def registry_sqlalchemy_url(self) -> str:
        url = self.registry_url.get_secret_value()
        return url or f"sqlite:///{self.registry_path}"

    @model_validator(mode="after")
    def _no_placeholders_in_production(self) -> Self:
        if not self.production:
            return self
        if self.console_cookie_secure is CookieSecure.NEVER:
            raise ValueError(
                "production settings refuse console_cookie_secure = never: session cookies "
                "must not travel over plain HTTP (use auto behind a TLS proxy, or always)"
            )
        needed = {"broker_password": self.broker_password}
        if self.timeseries_backend is TimeSeriesBackend.INFLUXDB:
            needed["influx_token"] = self.influx_token
        if self.timeseries_backend is TimeSeriesBackend.INFLUXDB_V1 and self.influx_username:
            needed["influx_password"] = self.influx_password
        if self.bootstrap_token.get_secret_value():
            needed["bootstrap_token"] = self.bootstrap_token
        bad = [k for k, v in needed.items() if v.get_secret_value().lower() in PLACEHOLDERS]
        if bad:
            raise ValueError(
                f"production settings need real secrets; set {', '.join(bad)} "
                "(KYUSUI_SERVER_<NAME> or the TOML file)"
            )
        losing = self.data_losing()
        if losing:
            raise ValueError(
                "production refuses settings that can lose readings: " + "; ".join(losing)
            )
        return self

    def data_losing(self) -> list[str]:
        """Settings that can lose or silently drop readings (refused in production)."""
        found = []
        if not self.ingest_confirm_stored:
            found.append(
                "ingest_confirm_stored = false (stations never learn what is stored; their "
                "outboxes fill and evict the oldest readings)"
            )
        ram = [
            name
            for name, path in (
                ("timeseries_path", self.timeseries_path),
                ("registry_path", self.registry_path),
            )
            if any(path.is_relative_to(d) for d in VOLATILE_DIRS)
        ]
        if self.timeseries_backend is not TimeSeriesBackend.SQLITE:
            ram = [n for n in ram if n != "timeseries_path"]
        if self.registry_url.get_secret_value():
            ram = [n for n in ram if n != "registry_path"]
        found += [f"{name} under a directory emptied at every boot" for name in ram]
        return found
