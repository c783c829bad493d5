"""A real first boot: Debian 12 under systemd (PID 1, in a container), the station installed
with the project's installer and a bundle from ``enrol``, reporting to a server on the host.

The tests run in order against one installed station; revocation comes last.
"""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning.__main__ import main as provision
from tests.systemd.station import Station, broker_frozen, installed_station, wait_for

STATION = "naka-first-boot"
WATCHED = [
    "/etc/kyusui",
    "/etc/kyusui/agent.toml",
    "/etc/kyusui/content-keys.pem",
    "/etc/systemd/system/kyusui-agent.service",
    "/etc/systemd/system/kyusui-kiosk.service",
    "/var/lib/kyusui",
]


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Iterator[Station]:
    with installed_station(tmp_path_factory.mktemp("first-boot"), STATION, wheel) as installed:
        yield installed


def files_state(station: Station) -> str:
    """Owner, group, mode and content hash of every installed file."""
    out = station.machine.run("stat", "-c", "%n %U %G %a %s", *WATCHED).stdout
    sums = station.machine.run(
        "sha256sum", *[p for p in WATCHED if p.endswith((".toml", ".pem", ".service"))]
    ).stdout
    return out + sums


def test_the_agent_runs_under_systemd_as_shipped(station: Station) -> None:
    unit = station.unit(
        "ActiveState", "Type", "WatchdogUSec", "User", "ProtectSystem", "NRestarts", "FragmentPath"
    )
    assert unit["ActiveState"] == "active"
    assert unit["Type"] == "notify"  # active only after the agent said READY=1
    assert unit["WatchdogUSec"] == "1min"
    assert (unit["User"], unit["ProtectSystem"]) == ("kyusui", "strict")
    assert unit["NRestarts"] == "0"
    shipped = (Path(__file__).parents[2] / "systemd/kyusui-agent.service").read_bytes()
    installed = station.machine.run("cat", unit["FragmentPath"]).stdout.encode()
    assert hashlib.sha256(installed).digest() == hashlib.sha256(shipped).digest()
    print(f"enrol → first stored reading: {station.enrol_to_first_reading_s:.1f} s")


def test_readings_arrive_in_the_servers_store(station: Station) -> None:
    first = station.stored_times()
    wait_for("newer readings", lambda: station.stored_times() - first or None, 30)


def test_only_the_service_user_reads_the_credentials(station: Station) -> None:
    machine = station.machine
    assert "broker_password" in machine.run("cat", "/etc/kyusui/agent.toml", user="kyusui").stdout
    machine.run("useradd", "--create-home", "visitor")
    for secret in ("/etc/kyusui/agent.toml", "/var/lib/kyusui/agent.sqlite"):
        denied = machine.run("cat", secret, user="visitor", check=False)
        assert denied.returncode != 0
        assert "Permission denied" in denied.stderr
    assert machine.run("ls", "/var/lib/kyusui", user="visitor", check=False).returncode != 0


def test_restart_sigkill_and_reinstall_lose_no_reading(station: Station) -> None:
    def kept() -> set[int]:
        """Readings still on the station or already on the server."""
        return set(station.outbox_times()) | station.stored_times()

    def waiting() -> set[int] | None:
        return set(station.outbox_times()) - station.stored_times() or None

    with broker_frozen(station.server):
        held = wait_for("readings waiting in the outbox", waiting)
        station.machine.run("systemctl", "restart", "kyusui-agent")
        assert held <= kept()
        held |= waiting() or set()
        station.machine.run("systemctl", "kill", "--signal=SIGKILL", "kyusui-agent")
        restarted = {"NRestarts": "1", "ActiveState": "active"}
        wait_for(
            "the agent restarted by systemd",
            lambda: station.unit("NRestarts", "ActiveState") == restarted or None,
        )
        assert held <= kept()
        reinstall = station.install("--wait", "0")
        assert reinstall.returncode == 0, reinstall.stderr
        assert held <= kept()
        held |= waiting() or set()
    wait_for("every held reading stored", lambda: held <= station.stored_times() or None)


def test_the_installer_run_again_changes_nothing(station: Station) -> None:
    before = files_state(station)
    pid = station.unit("MainPID")["MainPID"]
    again = station.install()
    assert again.returncode == 0, again.stderr
    assert "nothing to change" in again.stdout
    assert "the station has reported" in again.stdout
    assert files_state(station) == before
    assert station.unit("MainPID")["MainPID"] == pid  # not even restarted


def test_revoke_stops_the_station_cleanly(station: Station) -> None:
    assert provision(["revoke", STATION]) == 0
    wait_for(
        "the refusal in the agent's log",
        lambda: "broker refused the connection" in station.journal() or None,
    )
    log = station.journal()
    assert "Not authorized" in log or "Bad user name or password" in log
    unit = station.unit("ActiveState", "NRestarts")
    assert unit["ActiveState"] == "active"  # no crash loop: it waits, measuring into its outbox
