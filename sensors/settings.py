"""The station agent's settings: ``/etc/kyusui/agent.toml`` plus ``KYUSUI_AGENT_*``."""

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from contract.settings import TomlSettings


class AgentSettings(TomlSettings):
    model_config = SettingsConfigDict(env_prefix="KYUSUI_AGENT_", extra="forbid")
    default_config_file: ClassVar[str | None] = "/etc/kyusui/agent.toml"

    station_id: str
    area: str | None = None
    broker_host: str = "127.0.0.1"
    broker_port: int = 1883
    broker_username: str | None = None  # defaults to the station id
    broker_password: SecretStr = SecretStr("")
    broker_ca_file: Path | None = None
    broker_keepalive_s: int = Field(30, ge=5, le=600)

    sensor: Literal["fake", "dht22", "am2302", "dht11"] = "fake"
    sensor_pin: str = "D4"
    simulation_seed: int = 0
    simulation_failure_rate: float = Field(0.03, ge=0, le=1)

    reading_interval_s: float = Field(60.0, gt=0, le=3600)
    hysteresis_c: float = Field(0.5, ge=0, le=3)
    state_dir: Path = Path("/var/lib/kyusui")
