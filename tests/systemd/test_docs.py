"""docs/provisioning.md cannot drift: its server, Pi and test blocks run, in order, on one
Debian 12 machine under systemd (server and station on the same box), from a checkout.
Then the server it installed is checked as its users meet it."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import httpx
import pytest

from devnet.ports import free_port
from tests.systemd.container import Machine
from tests.systemd.doc_blocks import as_script, shell_blocks
from tests.systemd.rootfs import cached_rootfs
from tests.systemd.station import HOST_CA, INSTALL_ENV, PIP_CACHE, REPO, checkout, wait_for

PAGE = REPO / "docs" / "provisioning.md"
SERVER_UNITS = ("kyusui-api.service", "kyusui-ingest.service", "mosquitto.service")
SECRETS = (
    "/etc/kyusui/server.toml",
    "/etc/kyusui/provision.toml",
    "/etc/kyusui/keys/content-signing.key",
    "/etc/mosquitto/conf.d/kyusui.conf",
    "/etc/mosquitto/kyusui.passwd",
)


@dataclass
class Followed:
    machine: Machine
    env: dict[str, str]
    api_port: int
    out: str


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Followed]:
    """A machine on which every block of the page ran, in order."""
    tmp = tmp_path_factory.mktemp("docs")
    script = tmp / "page.sh"
    script.write_text(as_script(shell_blocks(PAGE)))
    PIP_CACHE.mkdir(parents=True, exist_ok=True)
    machine = Machine(
        cached_rootfs(),
        tmp / "console.log",
        binds={PIP_CACHE: "/root/.cache/pip", checkout(tmp / "kyusui"): "/root/kyusui"},
        read_only={HOST_CA: "/etc/ssl/host-ca.crt", script: "/root/page.sh"},
    ).boot()
    api_port = free_port()
    env = INSTALL_ENV | {
        "HOME": "/root",
        "KYUSUI_TEST_BROKER_PORT": str(free_port()),
        "KYUSUI_TEST_API_PORT": str(api_port),
    }
    try:
        result = machine.run("bash", "/root/page.sh", env=env, check=False, timeout_s=1200)
        assert result.returncode == 0, f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
        yield Followed(machine, env, api_port, result.stdout)
    finally:
        machine.poweroff()


def sign_in(api_port: int, login: str, password: str) -> httpx.Response | None:
    try:
        return httpx.post(
            f"http://127.0.0.1:{api_port}/api/v1/session",
            json={"login": login, "password": password},
            timeout=10,
        )
    except httpx.TransportError:
        return None  # not listening (yet)


def test_the_page_marks_blocks_for_server_pi_and_test() -> None:
    kinds = [block.where for block in shell_blocks(PAGE)]
    assert {"server", "pi", "test"} <= set(kinds)
    assert kinds.index("pi") > kinds.index("server")  # the server first, then the station


@pytest.mark.services  # a Debian machine under systemd-nspawn
def test_following_the_page_gets_a_station_reporting(followed: Followed) -> None:
    out = followed.out
    assert "the station has reported" in out
    assert "naka-ward-office: オンライン / online" in out
    assert "revoked and retired" in out  # the page ends by taking it out of service
    status = followed.machine.run("kyusui-provision", "status", "naka-ward-office", check=False)
    assert status.returncode == 1
    assert status.stdout.strip() == "naka-ward-office: 廃止済み / retired"


@pytest.mark.services  # a Debian machine under systemd-nspawn
def test_the_installed_server_answers_and_its_first_admin_signs_in(followed: Followed) -> None:
    machine = followed.machine
    for unit in SERVER_UNITS:
        state = machine.run("systemctl", "is-active", unit, check=False).stdout.strip()
        assert state == "active", unit
    found = re.search(r"password \(shown only now\): (\S+)", followed.out)
    assert found, "install-server printed no admin password"
    signed_in = wait_for("the API", partial(sign_in, followed.api_port, "admin", found[1]))
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["login"] == "admin"
    refused = sign_in(followed.api_port, "admin", "wrong password")
    assert refused is not None
    assert refused.status_code == 401


@pytest.mark.services  # a Debian machine under systemd-nspawn
def test_the_signing_key_and_the_token_are_not_for_everyone(followed: Followed) -> None:
    machine = followed.machine
    key = "/etc/kyusui/keys/content-signing.key"
    assert machine.run("cat", key, user="kyusui").returncode == 0  # the API signs with it
    machine.run("useradd", "--create-home", "visitor")
    assert machine.run("cat", key, user="visitor", check=False).returncode != 0
    token_file = "/etc/kyusui/provision.toml"  # an admin API token: root's only
    assert machine.run("cat", token_file, user="kyusui", check=False).returncode != 0


@pytest.mark.services  # a Debian machine under systemd-nspawn
def test_installing_the_server_again_keeps_every_secret(followed: Followed) -> None:
    machine = followed.machine
    before = machine.run("sha256sum", *SECRETS).stdout
    port = followed.env["KYUSUI_TEST_BROKER_PORT"]
    wheel = machine.run("sh", "-c", "ls /root/kyusui/dist/kyusui-*.whl").stdout.strip()
    again = machine.run(
        "/root/kyusui/scripts/install-server", "--wheel", wheel, "--broker-host", "127.0.0.1",
        "--broker-port", port, "--api-port", str(followed.api_port),
        env=followed.env, check=False, timeout_s=900,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "password (shown only now)" not in again.stdout  # the admin exists already
    assert machine.run("sha256sum", *SECRETS).stdout == before
