"""The station agent's settings: ``/etc/kyusui/agent.toml`` plus ``KYUSUI_AGENT_*``.

Defaults run the demo: a fake sensor, no GPIO parts, no content key (content refused).
"""

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from contract.content import KioskLang
from contract.jst import HourMinute
from contract.settings import TomlSettings
from sensors.uplink.backoff import RECONNECT_SPREAD_S


class AgentSettings(TomlSettings):
    model_config = SettingsConfigDict(env_prefix="KYUSUI_AGENT_", extra="forbid")
    default_config_file: ClassVar[str | None] = "/etc/kyusui/agent.toml"

    station_id: str
    area: str | None = None
    name_ja: str = ""
    name_en: str = ""
    # The name in the kiosk's other languages, e.g. {"zh" = "中区供水站"}; missing ones fall
    # back as every text does (contract.languages).
    names: dict[KioskLang, str] = Field(default_factory=dict)
    # Where the station stands: the kiosk's distances to places, and the address a
    # passer-by reads out to 119.
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    broker_host: str = "127.0.0.1"
    broker_port: int = 1883
    broker_username: str | None = None  # defaults to the station id
    broker_password: SecretStr = SecretStr("")
    broker_ca_file: Path | None = None
    broker_keepalive_s: int = Field(30, ge=5, le=600)
    # The first wait after losing the broker is drawn between 1 s and this, so a fleet that
    # lost it together does not come back in one second (docs/scaling.md sizes it).
    reconnect_spread_s: float = Field(RECONNECT_SPREAD_S, ge=1, le=600)

    # The sensor. "fake" is the simulated DHT of the demo and the tests.
    # "iio": the kernel's dht11 driver (dtoverlay=dht11), for DHT11 and DHT22 alike.
    sensor: Literal["fake", "dht22", "am2302", "dht11", "iio"] = "fake"
    sensor_pin: str = "D4"  # a board pin name for adafruit_dht
    sensor_attempts: int = Field(3, ge=1, le=10)
    sensor_min_gap_s: float = Field(2.0, ge=0, le=10)
    sensor_stuck_after_s: float = Field(1800.0, ge=60)
    simulation_seed: int = 0
    simulation_failure_rate: float = Field(0.03, ge=0, le=1)

    # Sensor supply switched by a GPIO (BCM numbers for gpiozero); none = no power cycling.
    sensor_power_pin: str | None = None
    sensor_data_gpio: str = "GPIO4"  # the same wire as sensor_pin, held low while off
    power_cycle_after_failures: int = Field(5, ge=1)
    power_cycle_backoff_s: float = Field(60.0, ge=0)
    power_off_s: float = Field(2.0, ge=0, le=60)

    # Optional GPIO parts.
    status_led_pin: str | None = None
    beacon_pin: str | None = None
    beacon_level: str = "danger"  # the lowest level that turns the beacon on
    quiet_hours_start: HourMinute = "22:00"
    quiet_hours_end: HourMinute = "07:00"
    pir_pin: str | None = None
    button_pin: str | None = None

    reading_interval_s: float = Field(60.0, gt=0, le=3600)
    health_interval_s: float = Field(300.0, gt=0, le=86_400)
    hysteresis_c: float = Field(0.5, ge=0, le=3)
    display_on_start: HourMinute = "05:00"
    display_on_end: HourMinute = "23:00"
    stale_after_s: int = Field(600, ge=10)
    state_dir: Path = Path("/var/lib/kyusui")
    # Room kept in the state directory and given back when the disk fills, so the kiosk's
    # state can still be written (0: none).
    disk_reserve_kib: int = Field(1024, ge=0, le=65_536)

    # Outbox: 14 days at one reading a minute.
    outbox_capacity: int = Field(20_160, ge=10)
    publish_batch: int = Field(200, ge=1, le=1000)
    # Sent, acknowledged by the broker, and still not confirmed stored by the server after
    # this long: sent again (docs/agent.md).
    unconfirmed_resend_s: float = Field(30.0, gt=0, le=3600)

    # Clock. "kernel" asks adjtimex(2) whether NTP has set the clock; "trust" assumes it is
    # right (a machine whose clock its host keeps, such as a development container).
    clock_check: Literal["kernel", "trust"] = "kernel"
    unsynced_hold_s: float = Field(600.0, ge=0)  # then send, flagged "unsynced"
    clock_jump_s: float = Field(5.0, gt=0)

    content_keys_file: Path | None = None  # PEM: the server's content-signing public key(s)
    restart_kiosk_command: str = "systemctl restart kyusui-kiosk"
    screenshot_timeout_s: float = Field(20.0, gt=0, le=120)
