"""``kyusui-provision install-server``: the API, ingest and broker configuration on one host.

Run as root by ``scripts/install-server`` once ``/opt/kyusui/venv`` holds the server's
packages. Creates the ``kyusui`` user, ``/etc/kyusui/server.toml`` (secrets generated once,
kept on later runs), the content-signing key pair (the private key readable by the service
user only), Mosquitto's listener, password and ACL files, ``/etc/kyusui/provision.toml`` so
``kyusui-provision enrol`` needs no further options, the units, and the first admin.
"""

import os
import secrets
import shutil
import sys
import tomllib
from pathlib import Path

import tomli_w

from provisioning.acl import acl_file
from provisioning.enrol import ETC, STATE_DIR
from provisioning.keys import PRIVATE_NAME, PUBLIC_NAME, generate_keypair
from provisioning.passwords import mosquitto_password_line
from provisioning.system import (
    SERVICE_USER,
    ensure_dir,
    ensure_user,
    install_units,
    journal_tail,
    link_command,
    put_file,
    run,
    systemctl,
)

SERVER_TOML = ETC / "server.toml"
PROVISION_TOML = ETC / "provision.toml"
KEYS = ETC / "keys"
MOSQUITTO = Path("/etc/mosquitto")
BROKER_USER = "kyusui-server"
UNITS = ("kyusui-api.service", "kyusui-ingest.service")
TLS_FILES = ("ca.pem", "server.crt", "server.key")  # under /etc/kyusui/broker/ for 8883
BROKER_DROP_IN = Path("/etc/systemd/system/mosquitto.service.d/kyusui.conf")
LOCAL_CLIENTS = 64  # ingest workers, API processes and tools on this host
DEFAULT_STATIONS = 1000


def broker_limits(stations: int) -> tuple[int, int]:
    """(max_connections of the stations' listener, the broker's open-files limit) for a
    fleet: a quarter more than the stations (a reconnecting station's old connection may
    still be open), and two descriptors a connection plus the broker's own (docs/server.md).
    """
    connections = stations + stations // 4 + 16
    return connections, 2 * (connections + LOCAL_CLIENTS) + 1024


def broker_unit_drop_in(stations: int) -> str:
    _, open_files = broker_limits(stations)
    return (
        "# Written by kyusui-provision install-server, sized for"
        f" {stations} stations (docs/server.md).\n"
        f"[Service]\nLimitNOFILE={open_files}\n"
    )


def _owner_group(preferred: str) -> str:
    return preferred if shutil.which("mosquitto") and _group_exists(preferred) else "root"


def _group_exists(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _existing(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def server_config(api_port: int, broker_password: str, listener_port: int) -> dict[str, object]:
    return {
        "production": True,
        "broker_host": "127.0.0.1",
        "broker_port": listener_port,
        "broker_username": BROKER_USER,
        "broker_password": broker_password,
        "api_host": "0.0.0.0",
        "api_port": api_port,
        "registry_path": str(STATE_DIR / "registry.sqlite"),
        "timeseries_path": str(STATE_DIR / "timeseries.sqlite"),
        "signing_key_file": str(KEYS / PRIVATE_NAME),
    }


def mosquitto_conf(port: int, local_port: int, tls: bool, stations: int = DEFAULT_STATIONS) -> str:
    """Stations on ``port`` (TLS on 8883); ingest on ``local_port`` on this host only; the
    connections sized for ``stations``. Mosquitto 2.0 has no listen-backlog option (it
    listens with a backlog of 100): the stations' jittered reconnects spread a storm."""
    connections, _ = broker_limits(stations)
    lines = [
        "# Written by kyusui-provision install-server.",
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {MOSQUITTO / 'kyusui.passwd'}",
        f"acl_file {MOSQUITTO / 'kyusui.acl'}",
        "persistence true",
        "max_queued_messages 100000",
    ]
    if port != local_port:
        lines += [f"listener {local_port} 127.0.0.1", f"max_connections {LOCAL_CLIENTS}"]
        lines += [f"listener {port}", f"max_connections {connections}"]
    else:
        lines += [f"listener {port}", f"max_connections {connections + LOCAL_CLIENTS}"]
    if tls:
        broker = ETC / "broker"
        lines += [f"cafile {broker / 'ca.pem'}", f"certfile {broker / 'server.crt'}"]
        lines += [f"keyfile {broker / 'server.key'}"]
    return "\n".join(lines) + "\n"


def as_service_user(*command: str) -> str:
    env = {"KYUSUI_SERVER_CONFIG": str(SERVER_TOML)}
    return run("runuser", "-u", SERVICE_USER, "--", "env", *[f"{k}={v}" for k, v in env.items()],
               *command)  # fmt: skip


def issue_token(name: str) -> str:
    """An admin API token, issued in the registry as the service user (its files stay its own)."""
    code = (
        "import sys\n"
        "from server.registry.db import Registry\n"
        "from server.registry.models import Role\n"
        "from server.registry.tokens import issue\n"
        "from server.settings import ServerSettings\n"
        "registry = Registry(ServerSettings().registry_sqlalchemy_url)\n"
        "with registry.session() as s:\n"
        "    _, token = issue(s, sys.argv[1], Role.ADMIN)\n"
        "print(token)\n"
    )
    return as_service_user(sys.executable, "-c", code, name).strip()


def first_admin(login: str) -> str | None:
    """The console's first admin (``kyusui-api user add``), unless that login exists.

    Returns what ``user add`` printed, with the generated password shown only then."""
    api = str(Path(sys.executable).with_name("kyusui-api"))
    users = as_service_user(api, "user", "list").splitlines()[1:]
    if any(line.split()[:1] == [login] for line in users):
        return None
    return as_service_user(api, "user", "add", login, "--role", "admin", "--name", login)


def install_server(
    admin: str,
    broker_host: str,
    broker_port: int,
    api_port: int,
    local_broker_port: int = 1883,
    fleet_size: int = DEFAULT_STATIONS,
) -> None:
    if os.geteuid() != 0:
        raise PermissionError("install-server は root で実行してください / run as root (sudo)")
    tls = broker_port == 8883
    if tls and not all((ETC / "broker" / name).is_file() for name in TLS_FILES):
        raise FileNotFoundError(
            f"MQTT over TLS (8883) needs {', '.join(TLS_FILES)} in {ETC / 'broker'}; put the"
            " broker's certificate there, or give --broker-port 1883 for plain MQTT"
        )
    ensure_user(SERVICE_USER, STATE_DIR, ())
    ensure_dir(ETC, 0o750, "root", SERVICE_USER)
    ensure_dir(STATE_DIR, 0o750, SERVICE_USER, SERVICE_USER)
    ensure_dir(KEYS, 0o750, "root", SERVICE_USER)
    if not (KEYS / PRIVATE_NAME).exists():
        generate_keypair(KEYS)
    os.chown(KEYS / PRIVATE_NAME, 0, _gid(SERVICE_USER))
    os.chmod(KEYS / PRIVATE_NAME, 0o640)  # the API signs with it as kyusui; nobody else reads
    os.chmod(KEYS / PUBLIC_NAME, 0o644)

    old = _existing(SERVER_TOML)
    password = str(old.get("broker_password") or secrets.token_urlsafe(24))
    config = server_config(api_port, password, local_broker_port) | {
        k: v for k, v in old.items() if k not in ("broker_password", "api_port", "broker_port")
    }
    put_file(SERVER_TOML, tomli_w.dumps(config).encode(), 0o640, "root", SERVICE_USER)

    broker_group = _owner_group("mosquitto")
    passwd, acl = MOSQUITTO / "kyusui.passwd", MOSQUITTO / "kyusui.acl"
    MOSQUITTO.mkdir(parents=True, exist_ok=True)
    stations = passwd.read_text().splitlines() if passwd.is_file() else []
    others = [line for line in stations if not line.startswith(f"{BROKER_USER}:")]
    if len(others) == len(stations):  # no server account yet
        lines = [mosquitto_password_line(BROKER_USER, password), *others]
        put_file(passwd, ("\n".join(lines) + "\n").encode(), 0o640, "root", broker_group)
    if not acl.is_file():
        put_file(acl, acl_file(BROKER_USER, {}).encode(), 0o640, "root", broker_group)
    conf = MOSQUITTO / "conf.d" / "kyusui.conf"
    listeners = mosquitto_conf(broker_port, local_broker_port, tls, fleet_size)
    broker_changed = put_file(conf, listeners.encode(), 0o644)
    BROKER_DROP_IN.parent.mkdir(parents=True, exist_ok=True)
    if put_file(BROKER_DROP_IN, broker_unit_drop_in(fleet_size).encode(), 0o644):
        broker_changed = True
        run("systemctl", "daemon-reload")

    old_provision = _existing(PROVISION_TOML)
    provision = {
        "api_url": f"http://127.0.0.1:{api_port}",
        "broker_host": broker_host,
        "broker_port": broker_port,
        "content_key_file": str(KEYS / PUBLIC_NAME),
        "broker_passwd_file": str(passwd),
        "broker_acl_file": str(acl),
        "broker_reload_command": "systemctl reload-or-restart mosquitto",
    }
    if tls:
        provision["broker_ca_file"] = str(ETC / "broker" / "ca.pem")

    run(str(Path(sys.executable).with_name("kyusui-api")), "--help")  # fails loudly if broken
    as_service_user(str(Path(sys.executable).with_name("kyusui-api")), "migrate")
    token = str(old_provision.get("api_token") or issue_token("kyusui-provision"))
    provision["api_token"] = token
    put_file(PROVISION_TOML, tomli_w.dumps(provision).encode(), 0o600)

    if shutil.which("mosquitto"):  # first: ingest waits for the broker to become ready
        systemctl("enable", "mosquitto.service")
        if broker_changed or not old:
            systemctl("restart", "mosquitto.service")
    else:
        print(f"Mosquitto がありません / Mosquitto is not installed: apt-get install mosquitto;"
              f" its configuration is in {conf}")  # fmt: skip
    link_command("kyusui-provision")
    install_units(UNITS)
    systemctl("enable", *UNITS)
    for unit in UNITS:
        try:
            systemctl("restart", unit)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{journal_tail(unit)}") from None
    print(f"API: http://{broker_host}:{api_port}/ ; enrol with: kyusui-provision enrol …")
    added = first_admin(admin)
    if added:
        print(added.strip())


def _gid(group: str) -> int:
    import grp

    return grp.getgrnam(group).gr_gid
