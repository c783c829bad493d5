"""``kyusui-provision``: create signing keys, enrol a station, install a bundle on a Pi."""

import argparse
import json
import sys
from pathlib import Path

from contract.errors import ContractError
from contract.languages import KIOSK_LANGS
from provisioning.enrol import BrokerEndpoint, StationRecord, enrol
from provisioning.install import UNITS, install_bundle
from provisioning.keys import generate_keypair


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kyusui-provision", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    keygen = commands.add_parser("keygen", help="create the server's content-signing key pair")
    keygen.add_argument("directory", type=Path)

    station = commands.add_parser("enrol", help="write an enrolment bundle for one station")
    station.add_argument("station_id")
    station.add_argument("--area", required=True)
    station.add_argument("--name-ja", required=True)
    station.add_argument("--name-en", required=True)
    station.add_argument(
        "--name",
        action="append",
        default=[],
        metavar="LANG=NAME",
        help="the name in another kiosk language (ja-easy, zh, ko, vi); repeatable",
    )
    station.add_argument("--address", default="")
    station.add_argument("--lat", type=float)
    station.add_argument("--lon", type=float)
    station.add_argument("--exposure", choices=["indoor", "shade", "sun"], default="shade")
    station.add_argument("--broker-host", required=True)
    station.add_argument("--broker-port", type=int, default=8883)
    station.add_argument("--broker-ca", type=Path, help="CA certificate; omit for plain MQTT")
    station.add_argument("--content-key", type=Path, required=True, help="content-signing.pub")
    station.add_argument("--sensor", choices=["dht22", "am2302", "dht11"], default="dht22")
    station.add_argument("--sensor-pin", default="D4")
    station.add_argument("--out", type=Path, required=True)

    install = commands.add_parser("install", help="install a bundle on this Pi (first boot)")
    install.add_argument("bundle", type=Path)
    install.add_argument("--root", type=Path, default=Path("/"))
    return parser


OTHER_NAME_LANGS = tuple(c for c in KIOSK_LANGS if c not in ("ja", "en"))  # name_ja, name_en


def other_names(pairs: list[str]) -> dict[str, str]:
    """``["zh=中区供水站"]`` as ``{"zh": "中区供水站"}``; only the kiosk's other languages."""
    names: dict[str, str] = {}
    for pair in pairs:
        lang, sep, name = pair.partition("=")
        if not sep or not name.strip() or lang not in OTHER_NAME_LANGS:
            raise ValueError(
                f"--name {pair!r}: expected LANG=NAME with LANG one of "
                + ", ".join(OTHER_NAME_LANGS)
            )
        names[lang] = name.strip()
    return names


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "keygen":
            kid = generate_keypair(args.directory)
            print(f"content-signing key {kid} written to {args.directory}")
        elif args.command == "enrol":
            record = StationRecord(
                args.station_id,
                args.area,
                args.name_ja,
                args.name_en,
                args.address,
                args.lat,
                args.lon,
                args.exposure,
                other_names(args.name),
            )
            broker = BrokerEndpoint(args.broker_host, args.broker_port, args.broker_ca)
            out = enrol(record, broker, args.content_key, args.out, args.sensor, args.sensor_pin)
            print(json.dumps({"bundle": str(out), "station": record.id}, ensure_ascii=False))
        else:
            for path in install_bundle(args.bundle, args.root):
                print(f"installed {path}")
            print("now: systemctl enable --now " + " ".join(UNITS))
    except (ContractError, ValueError, OSError) as exc:
        print(f"kyusui-provision: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
