"""The backend's settings: ``/etc/kyusui/server.toml`` plus ``KYUSUI_SERVER_*``.

Ingest workers and API processes read the same file.
"""

from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, ClassVar, Self

from pydantic import BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from contract.settings import TomlSettings

# Values that mean "nobody set this yet": refused in production.
PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "password", "admin", "token"})


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
    # A fixed client id gives the worker a persistent session: unacknowledged messages wait
    # in the broker while the worker or its store is down. Unset: one per process start.
    ingest_client_id: str | None = None
    ingest_session_expiry_s: int = Field(7 * 86_400, ge=0)
    ingest_batch_size: int = Field(500, ge=1, le=10_000)
    ingest_batch_wait_s: float = Field(0.05, ge=0, le=5)
    ingest_retry_s: float = Field(2.0, gt=0, le=300)
    ingest_metrics_port: int = Field(0, ge=0, le=65_535)  # 0: no /metrics endpoint

    timeseries_backend: TimeSeriesBackend = TimeSeriesBackend.SQLITE
    timeseries_path: Path = Path("/var/lib/kyusui/timeseries.sqlite")
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

    # Ed25519 private key (PEM) that signs content for stations; unset: no publishing.
    signing_key_file: Path | None = None

    alert_webhook_url: str = ""
    alert_offline_after_s: int = Field(900, ge=60)
    alert_disk_free_mb: float = Field(200.0, ge=0)
    alert_outbox_depth: int = Field(100, ge=1)
    alert_check_interval_s: float = Field(30.0, gt=0)

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
        return self
