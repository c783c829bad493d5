"""An enrolment bundle: everything one station needs, and the broker and registry entries for it.

The bundle is a directory the technician copies to the Pi (``install``) and whose
``server/`` part goes to the broker and the registry:

    agent.toml            station settings, with its broker password (mode 0600)
    content-keys.pem      the server's content-signing public key(s)
    broker-ca.pem         the broker's CA certificate, when TLS is used
    server/passwd-line    the station's line for Mosquitto's password_file
    server/acl-rule       the station's area rule for Mosquitto's acl_file
    server/station.json   the registry record (names, area, address, coordinates, exposure)
"""

import json
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import tomli_w

from contract.signing import load_public_key
from contract.topics import check_id
from provisioning.acl import station_area_rule
from provisioning.passwords import mosquitto_password_line, new_password

ETC = Path("/etc/kyusui")
STATE_DIR = Path("/var/lib/kyusui")


@dataclass(frozen=True)
class StationRecord:
    id: str
    area: str
    name_ja: str
    name_en: str
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    exposure: Literal["indoor", "shade", "sun"] = "shade"
    # The name in the kiosk's other languages, {"zh": …}: the agent's ``names`` setting.
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BrokerEndpoint:
    host: str
    port: int = 8883
    ca_file: Path | None = None  # None: plain MQTT (only on a closed network)


def registry_record(station: StationRecord) -> dict[str, object]:
    """The body of ``POST /api/v1/stations`` for this station (the API's ``StationIn``)."""
    record = asdict(station)
    return {key: value for key, value in record.items() if value not in (None, "")}


def agent_config(
    station: StationRecord, broker: BrokerEndpoint, password: str, sensor: str, sensor_pin: str
) -> dict[str, object]:
    config: dict[str, object] = {
        "station_id": station.id,
        "area": station.area,
        "name_ja": station.name_ja,
        "name_en": station.name_en,
        "broker_host": broker.host,
        "broker_port": broker.port,
        "broker_password": password,
        "sensor": sensor,
        "sensor_pin": sensor_pin,
        "content_keys_file": str(ETC / "content-keys.pem"),
        "state_dir": str(STATE_DIR),
    }
    if station.names:
        config["names"] = dict(station.names)
    # Where it stands: the kiosk's distances to places, and the address to read out to 119.
    if station.latitude is not None and station.longitude is not None:
        config["latitude"], config["longitude"] = station.latitude, station.longitude
    if station.address:
        config["address"] = station.address[:200]
    if broker.ca_file is not None:
        config["broker_ca_file"] = str(ETC / "broker-ca.pem")
    return config


def enrol(
    station: StationRecord,
    broker: BrokerEndpoint,
    content_public_key: Path,
    out_dir: Path,
    sensor: str = "dht22",
    sensor_pin: str = "D4",
) -> Path:
    """Write the enrolment bundle for ``station`` into ``out_dir``; return its path."""
    check_id(station.id)
    check_id(station.area, "area")
    if not station.name_ja:
        raise ValueError("a station needs a Japanese name (name_ja): passers-by read it")
    public_pem = content_public_key.read_bytes()
    load_public_key(public_pem)  # refuse a bundle that could never verify content
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty; refusing to mix two enrolments")

    password = new_password()
    (out_dir / "server").mkdir(parents=True, exist_ok=True)
    agent_toml = out_dir / "agent.toml"
    agent_toml.touch(mode=0o600)
    agent_toml.write_text(
        tomli_w.dumps(agent_config(station, broker, password, sensor, sensor_pin)),
        encoding="utf-8",
    )
    (out_dir / "content-keys.pem").write_bytes(public_pem)
    if broker.ca_file is not None:
        shutil.copyfile(broker.ca_file, out_dir / "broker-ca.pem")
    (out_dir / "server" / "passwd-line").write_text(
        mosquitto_password_line(station.id, password) + "\n"
    )
    (out_dir / "server" / "acl-rule").write_text(station_area_rule(station.id, station.area))
    (out_dir / "server" / "station.json").write_text(
        json.dumps(registry_record(station), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    return out_dir
