"""The server installs with one command on a fresh Debian 12 under systemd: the API answers,
its first admin signs in, the signing key is the service's alone, and enrol works there."""

import re
from collections.abc import Callable
from pathlib import Path

import httpx

from devnet.ports import free_port
from tests.provisioning.helpers import connect_result
from tests.systemd.container import Machine
from tests.systemd.station import INSTALL_ENV, boot, wait_for

UNITS = ("kyusui-api.service", "kyusui-ingest.service", "mosquitto.service")
WATCHED = (
    "/etc/kyusui/server.toml",
    "/etc/kyusui/provision.toml",
    "/etc/kyusui/keys/content-signing.key",
    "/etc/mosquitto/conf.d/kyusui.conf",
    "/etc/mosquitto/kyusui.passwd",
)


def install_server(machine: Machine, wheel: Path, api_port: int, broker_port: int) -> str:
    result = machine.run(
        "/src/scripts/install-server", "--wheel", f"/wheels/{wheel.name}",
        "--broker-host", "127.0.0.1", "--broker-port", str(broker_port),
        "--api-port", str(api_port),
        env=INSTALL_ENV, check=False, timeout_s=900,
    )  # fmt: skip
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result.stdout


def sign_in(api_port: int, login: str, password: str) -> httpx.Response:
    return httpx.post(
        f"http://127.0.0.1:{api_port}/api/v1/session",
        json={"login": login, "password": password},
        timeout=10,
    )


def test_the_server_installs_answers_and_its_admin_signs_in(wheel: Path, tmp_path: Path) -> None:
    api_port, broker_port = free_port(), free_port()
    machine = boot(tmp_path / "console.log", wheels=wheel.parent)
    try:
        out = install_server(machine, wheel, api_port, broker_port)
        found = re.search(r"password \(shown only now\): (\S+)", out)
        assert found, out
        for unit in UNITS:
            state = machine.run("systemctl", "is-active", unit, check=False).stdout.strip()
            log = machine.run("journalctl", "-u", unit, "--no-pager", check=False).stdout
            assert state == "active", f"{unit}: {state}\n{log[-3000:]}"

        signed_in = wait_for(
            "the API to answer", lambda: _answer(lambda: sign_in(api_port, "admin", found[1]))
        )
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["login"] == "admin"
        assert sign_in(api_port, "admin", "wrong password").status_code == 401

        # The API signs content with the key as kyusui; nobody else reads it.
        key = "/etc/kyusui/keys/content-signing.key"
        assert machine.run("cat", key, user="kyusui").returncode == 0
        machine.run("useradd", "--create-home", "visitor")
        assert machine.run("cat", key, user="visitor", check=False).returncode != 0
        token_file = "/etc/kyusui/provision.toml"  # an admin token: root's only
        assert machine.run("cat", token_file, user="kyusui", check=False).returncode != 0

        # Enrolment on the server needs only the station's own details.
        enrol = machine.run(
            "/opt/kyusui/venv/bin/kyusui-provision", "enrol", "naka-on-server", "--area", "naka",
            "--name-ja", "中区役所前 給水所", "--out", "/root/naka-on-server", check=False,
        )  # fmt: skip
        assert enrol.returncode == 0, enrol.stderr
        agent_toml = machine.run("cat", "/root/naka-on-server/agent.toml").stdout
        password = re.search(r'broker_password = "([^"]+)"', agent_toml)
        assert password
        assert connect_result(broker_port, "naka-on-server", password[1]) == 0

        # Installing again keeps every secret and the admin as they are.
        before = machine.run("sha256sum", *WATCHED).stdout
        again = install_server(machine, wheel, api_port, broker_port)
        assert "password (shown only now)" not in again
        assert machine.run("sha256sum", *WATCHED).stdout == before
        assert sign_in(api_port, "admin", found[1]).status_code == 200
    finally:
        machine.poweroff()


def _answer(call: Callable[[], httpx.Response]) -> httpx.Response | None:
    try:
        return call()
    except httpx.TransportError:
        return None  # not listening yet
