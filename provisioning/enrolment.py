"""Enrolment on the server: the registry (through the API), the bundle, the broker account.

``enrol`` registers a new station, writes its bundle and gives it a broker account;
``replace`` keeps the registered station (id, history, area) and gives it new credentials;
``revoke`` removes the account and retires the station, keeping its data.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provisioning.broker_files import ManagedBroker
from provisioning.enrol import BrokerEndpoint, StationRecord, enrol, registry_record
from provisioning.registry_client import RegistryClient


class EnrolmentError(RuntimeError):
    """A request that would leave the registry and the broker disagreeing."""


@dataclass(frozen=True)
class Outcome:
    bundle: Path | None
    # Lines for a broker this command does not manage (None when it was updated here).
    broker_instructions: str | None


def _record_from_registry(found: dict[str, Any]) -> StationRecord:
    return StationRecord(
        id=found["id"],
        area=found["area"],
        name_ja=found["name_ja"],
        name_en=found.get("name_en") or "",
        address=found.get("address") or "",
        latitude=found.get("latitude"),
        longitude=found.get("longitude"),
        exposure=found.get("exposure") or "shade",
    )


def _instructions_to_add(bundle: Path, broker: ManagedBroker | None) -> str | None:
    if broker is not None:
        return None
    passwd = (bundle / "server" / "passwd-line").read_text(encoding="utf-8").strip()
    rule = (bundle / "server" / "acl-rule").read_text(encoding="utf-8").strip()
    return (
        "ブローカーに次の行を追加し、再読み込みしてください / add to the broker, then reload it"
        " (systemctl reload mosquitto):\n"
        f"password_file:\n{passwd}\nacl_file (before the pattern lines):\n{rule}"
    )


def enrol_station(
    record: StationRecord | None,
    station_id: str,
    endpoint: BrokerEndpoint,
    content_key: Path,
    out_dir: Path,
    registry: RegistryClient,
    broker: ManagedBroker | None,
    replace: bool = False,
    sensor: str = "dht22",
    sensor_pin: str = "D4",
) -> Outcome:
    """Enrol (or with ``replace``, re-key) ``station_id``; return the bundle written."""
    existing = registry.station(station_id)
    if existing is not None and not replace:
        raise EnrolmentError(
            f"局 {station_id} は登録済みです。新しい認証情報を発行するには --replace"
            f" / station {station_id} is already enrolled; give --replace for new credentials"
        )
    if existing is None and broker is not None and broker.has_station(station_id) and not replace:
        raise EnrolmentError(
            f"ブローカーに {station_id} のアカウントがあります / the broker already has an"
            f" account {station_id}; give --replace to give it new credentials"
        )
    if existing is not None:
        if existing.get("state") == "retired":
            raise EnrolmentError(
                f"局 {station_id} は廃止済みです / station {station_id} is retired; enrol"
                " the new station under a new id"
            )
        record = _record_from_registry(existing)  # replace keeps names, area and place
    if record is None:
        raise EnrolmentError(
            f"局 {station_id} は未登録です: --area と --name-ja が必要です / station {station_id}"
            " is not enrolled yet: give --area and --name-ja"
        )
    enrol(record, endpoint, content_key, out_dir, sensor, sensor_pin)
    try:
        if existing is None:
            registry.register(registry_record(record))
        if broker is not None:
            rule = (out_dir / "server" / "acl-rule").read_text(encoding="utf-8")
            passwd = (out_dir / "server" / "passwd-line").read_text(encoding="utf-8")
            broker.put_station(record.id, passwd, rule)
    except Exception:
        shutil.rmtree(out_dir, ignore_errors=True)  # a bundle the server does not know is a trap
        raise
    return Outcome(out_dir, _instructions_to_add(out_dir, broker))


def revoke_station(
    station_id: str, registry: RegistryClient, broker: ManagedBroker | None
) -> Outcome:
    """Cut the station off the broker and retire it in the registry; its data stays."""
    instructions = None
    if broker is not None:
        broker.remove_station(station_id)
    else:
        instructions = (
            f"ブローカーから {station_id} の行を削除し、再読み込みしてください / remove the lines"
            f" for {station_id} from the broker's password_file and acl_file, then reload it"
        )
    registry.retire(station_id)
    return Outcome(None, instructions)
