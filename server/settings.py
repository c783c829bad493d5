"""The backend's settings: ``/etc/kyusui/server.toml`` plus ``KYUSUI_SERVER_*``.

Ingest workers and API processes read the same file.
"""

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from contract.settings import TomlSettings


class ServerSettings(TomlSettings):
    model_config = SettingsConfigDict(env_prefix="KYUSUI_SERVER_", extra="forbid")
    default_config_file: ClassVar[str | None] = "/etc/kyusui/server.toml"

    broker_host: str = "127.0.0.1"
    broker_port: int = 1883
    broker_username: str = "kyusui-server"
    broker_password: SecretStr = SecretStr("")
    broker_ca_file: Path | None = None
    ingest_group: str = "ingest"
    ingest_client_id: str | None = None

    timeseries_path: Path = Path("/var/lib/kyusui/timeseries.sqlite")

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    offline_after_s: int = Field(300, ge=30)
    # When set, an admin API token with this value exists from start (demo, first install).
    bootstrap_token: SecretStr = SecretStr("")
