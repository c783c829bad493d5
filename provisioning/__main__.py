"""``kyusui-provision``: signing keys, enrolment and revocation on the server; installers."""

import argparse
import json
import os
import sys
from pathlib import Path

from contract.errors import ContractError
from contract.topics import check_id
from provisioning.keys import generate_keypair
from provisioning.settings import ProvisionSettings

SENSORS = ["fake", "dht22", "am2302", "dht11", "iio"]


def _server_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("server (default: /etc/kyusui/provision.toml)")
    group.add_argument("--api-url")
    group.add_argument("--api-token", help="better: KYUSUI_PROVISION_API_TOKEN")
    group.add_argument("--broker-passwd-file", type=Path)
    group.add_argument("--broker-acl-file", type=Path)
    group.add_argument("--broker-reload", help="default: systemctl reload mosquitto")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kyusui-provision", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    keygen = commands.add_parser("keygen", help="create the server's content-signing key pair")
    keygen.add_argument("directory", type=Path)

    station = commands.add_parser(
        "enrol", help="register a station, give it a broker account, write its bundle"
    )
    station.add_argument("station_id")
    station.add_argument("--area")
    station.add_argument("--name-ja")
    station.add_argument("--name-en", default="")
    station.add_argument("--address", default="")
    station.add_argument("--lat", type=float)
    station.add_argument("--lon", type=float)
    station.add_argument("--exposure", choices=["indoor", "shade", "sun"], default="shade")
    station.add_argument("--broker-host", help="what the station connects to")
    station.add_argument("--broker-port", type=int, help="8883 with TLS (default); demo: 18830")
    station.add_argument("--broker-ca", type=Path, help="CA certificate; omit for plain MQTT")
    station.add_argument("--content-key", type=Path, help="content-signing.pub")
    station.add_argument("--sensor", choices=SENSORS, default="dht22")
    station.add_argument("--sensor-pin", default="D4")
    station.add_argument("--out", type=Path, required=True)
    station.add_argument("--replace", action="store_true", help="new credentials, same station")
    station.add_argument("--boot-files", type=Path, help="also write cloud-init files here")
    station.add_argument("--wifi-ssid", help="with --boot-files: the station's Wi-Fi")
    station.add_argument("--wifi-password", help="better: KYUSUI_WIFI_PASSWORD")
    station.add_argument("--wheel", type=Path, help="with --boot-files: the kyusui wheel")
    _server_options(station)

    revoke = commands.add_parser("revoke", help="remove a station's broker account, retire it")
    revoke.add_argument("station_id")
    _server_options(revoke)

    status = commands.add_parser("status", help="is the station online, with a reading?")
    status.add_argument("station_id")
    _server_options(status)

    on_pi = commands.add_parser("install-station", help="install or upgrade this station (root)")
    on_pi.add_argument("bundle", type=Path)
    on_pi.add_argument("--sensor", choices=SENSORS, help="override the bundle's sensor")
    on_pi.add_argument("--wait", type=float, default=180.0, help="seconds to wait for a report")

    server = commands.add_parser("install-server", help="install or upgrade the server (root)")
    server.add_argument("--admin", default="admin", help="login of the first admin")
    server.add_argument("--broker-host", required=True, help="the name stations connect to")
    server.add_argument("--broker-port", type=int, default=8883)
    server.add_argument("--api-port", type=int, default=8000)
    server.add_argument(
        "--local-broker-port", type=int,
        help="ingest's plain listener on 127.0.0.1 (default: 1883 with TLS, else --broker-port)",
    )  # fmt: skip
    server.add_argument(
        "--stations", type=int, default=1000,
        help="the fleet the broker's connection and open-files limits are sized for",
    )  # fmt: skip
    return parser


def _settings(args: argparse.Namespace) -> ProvisionSettings:
    given = {
        "api_url": args.api_url,
        "api_token": args.api_token,
        "broker_passwd_file": args.broker_passwd_file,
        "broker_acl_file": args.broker_acl_file,
        "broker_reload_command": args.broker_reload,
    }
    if args.command == "enrol":
        given |= {
            "broker_host": args.broker_host,
            "broker_port": args.broker_port,
            "broker_ca_file": args.broker_ca,
            "content_key_file": args.content_key,
        }
    return ProvisionSettings(**{k: v for k, v in given.items() if v is not None})


def _enrol(args: argparse.Namespace) -> None:
    from provisioning.boot import write_boot_files
    from provisioning.connect import broker_of, endpoint_of, registry_of
    from provisioning.enrol import StationRecord
    from provisioning.enrolment import enrol_station

    check_id(args.station_id)  # before the API: say what an id may be, in the contract's words
    settings = _settings(args)
    record = None
    if args.area and args.name_ja:
        record = StationRecord(
            args.station_id, args.area, args.name_ja, args.name_en, args.address,
            args.lat, args.lon, args.exposure,
        )  # fmt: skip
    outcome = enrol_station(
        record, args.station_id, endpoint_of(settings), settings.content_key_file, args.out,
        registry_of(settings), broker_of(settings), args.replace, args.sensor, args.sensor_pin,
    )  # fmt: skip
    if outcome.broker_instructions:
        print(outcome.broker_instructions, file=sys.stderr)
    if args.boot_files is not None:
        password = args.wifi_password or os.environ.get("KYUSUI_WIFI_PASSWORD")
        write_boot_files(
            args.out, args.boot_files, args.station_id, args.wifi_ssid, password, args.wheel
        )
    print(json.dumps({"bundle": str(args.out), "station": args.station_id}, ensure_ascii=False))


def _revoke(args: argparse.Namespace) -> None:
    from provisioning.connect import broker_of, registry_of
    from provisioning.enrolment import revoke_station

    settings = _settings(args)
    outcome = revoke_station(args.station_id, registry_of(settings), broker_of(settings))
    if outcome.broker_instructions:
        print(outcome.broker_instructions, file=sys.stderr)
    print(f"局 {args.station_id} を廃止しました / station {args.station_id} revoked and retired")


def _status(args: argparse.Namespace) -> bool:
    from provisioning.connect import registry_of
    from provisioning.status import describe

    found = registry_of(_settings(args)).station(args.station_id)
    line, reporting = describe(args.station_id, found)
    print(line)
    return reporting


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "keygen":
            kid = generate_keypair(args.directory)
            print(f"content-signing key {kid} written to {args.directory}")
        elif args.command == "enrol":
            _enrol(args)
        elif args.command == "revoke":
            _revoke(args)
        elif args.command == "status":
            return 0 if _status(args) else 1
        elif args.command == "install-station":
            from provisioning.station_install import install_station

            install_station(args.bundle, args.sensor, args.wait)
        else:
            from provisioning.server_install import install_server

            install_server(
                args.admin, args.broker_host, args.broker_port, args.api_port,
                args.local_broker_port or (1883 if args.broker_port == 8883 else args.broker_port),
                args.stations,
            )  # fmt: skip
    except (ContractError, ValueError, OSError, RuntimeError) as exc:
        print(f"kyusui-provision: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
