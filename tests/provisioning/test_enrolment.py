"""A technician enrols a station with one command: the registry, the broker account, the bundle."""

import json
import stat
import tomllib
from pathlib import Path

import pytest

from devnet.network import StationNetwork
from provisioning.__main__ import main as provision
from sensors.settings import AgentSettings
from tests.provisioning.helpers import NAKA, api, connect_result, connected, enrol


def broker_port(server: StationNetwork) -> int:
    assert server.broker is not None
    assert server.broker.port is not None
    return server.broker.port


def password_of(bundle: Path) -> str:
    return str(tomllib.loads((bundle / "agent.toml").read_text())["broker_password"])


def test_an_enrolled_station_is_registered_and_can_connect(
    server: StationNetwork, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    assert enrol("naka-ward-office", bundle, "--address", "横浜市中区港町1-1") == 0

    status, station = api(server, "GET", "/stations/naka-ward-office")
    assert status == 200
    assert station["state"] == "active"
    assert (station["name_ja"], station["area"]) == ("中区役所前 給水所", "naka")
    assert station["address"] == "横浜市中区港町1-1"
    # The agent knows it too: the kiosk shows it to read out to 119.
    config = tomllib.loads((bundle / "agent.toml").read_text())
    assert config["address"] == "横浜市中区港町1-1"
    assert connect_result(broker_port(server), "naka-ward-office", password_of(bundle)) == 0


def test_the_bundle_is_what_the_api_and_the_agent_accept(
    server: StationNetwork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "bundle"
    assert enrol("naka-bundle", bundle, "--sensor", "fake") == 0
    assert stat.S_IMODE((bundle / "agent.toml").stat().st_mode) == 0o600
    # station.json is exactly the body of POST /stations (it was refused with a 422 once).
    body = (bundle / "server/station.json").read_text()
    status, answer = api(server, "POST", "/stations", json.loads(body))
    assert status == 409, answer  # already registered by enrol, and not refused as malformed

    monkeypatch.setenv("KYUSUI_AGENT_CONFIG", str(bundle / "agent.toml"))
    settings = AgentSettings()
    assert (settings.station_id, settings.area, settings.sensor) == ("naka-bundle", "naka", "fake")
    assert settings.broker_port == broker_port(server)
    assert settings.content_keys_file == Path("/etc/kyusui/content-keys.pem")
    assert (bundle / "content-keys.pem").read_bytes() == (
        server.keys_dir / "content-signing.pub"
    ).read_bytes()


def test_status_says_whether_a_station_reports(
    server: StationNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert provision(["status", "naka-unknown"]) == 1
    assert "not enrolled" in capsys.readouterr().out
    assert enrol("naka-status", tmp_path / "bundle") == 0
    assert provision(["status", "naka-status"]) == 1  # enrolled, never connected
    assert "naka-status: オフライン / offline (last seen never)" in capsys.readouterr().out


def test_enrolling_an_id_twice_needs_replace(
    server: StationNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert enrol("naka-twice", tmp_path / "first") == 0
    assert enrol("naka-twice", tmp_path / "second") == 2
    assert "--replace" in capsys.readouterr().err
    assert not (tmp_path / "second").exists()


def test_replace_keeps_the_station_and_cuts_the_old_credentials_at_once(
    server: StationNetwork, tmp_path: Path
) -> None:
    port = broker_port(server)
    assert enrol("naka-replaced", tmp_path / "old") == 0
    old = password_of(tmp_path / "old")
    with connected(port, "naka-replaced", old) as dropped:
        # A replacement needs only the id: names, area and place stay as registered.
        replace = ["enrol", "naka-replaced", "--replace", "--out", str(tmp_path / "new")]
        assert provision(replace) == 0
        assert dropped.wait(10), "the old Pi stayed connected with its old password"
    new = password_of(tmp_path / "new")
    assert new != old
    assert connect_result(port, "naka-replaced", old).is_failure
    assert connect_result(port, "naka-replaced", new) == 0
    status, station = api(server, "GET", "/stations/naka-replaced")
    assert (status, station["area"], station["name_ja"]) == (200, "naka", "中区役所前 給水所")
    assert tomllib.loads((tmp_path / "new/agent.toml").read_text())["area"] == "naka"


def test_revoke_cuts_the_station_off_and_retires_it(
    server: StationNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = broker_port(server)
    assert enrol("naka-revoked", tmp_path / "bundle") == 0
    password = password_of(tmp_path / "bundle")
    with connected(port, "naka-revoked", password) as dropped:
        assert provision(["revoke", "naka-revoked"]) == 0
        assert dropped.wait(10), "a revoked station stayed connected"
    assert "revoked" in capsys.readouterr().out
    reason = connect_result(port, "naka-revoked", password)
    assert reason.is_failure
    assert "authorized" in str(reason).lower() or "bad user" in str(reason).lower()
    status, station = api(server, "GET", "/stations/naka-revoked")
    assert (status, station["state"]) == (200, "retired")  # retired, not deleted: data stays


def test_a_broker_it_does_not_manage_gets_the_exact_lines(
    server: StationNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.delenv("KYUSUI_PROVISION_BROKER_PASSWD_FILE")
    monkeypatch.delenv("KYUSUI_PROVISION_BROKER_ACL_FILE")
    assert enrol("naka-manual", tmp_path / "bundle") == 0
    err = capsys.readouterr().err
    assert (tmp_path / "bundle/server/passwd-line").read_text().strip() in err
    assert "user naka-manual\ntopic read kyusui/v1/area/naka/#" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad Id!", *NAKA], "lowercase letters"),
        (["naka-no-ca", *NAKA, "--broker-port", "8883"], "--broker-ca"),
        (["naka-unnamed"], "--area"),
    ],
)
def test_enrolment_refuses_what_could_never_work(
    server: StationNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    args: list[str], message: str,
) -> None:  # fmt: skip
    assert provision(["enrol", *args, "--out", str(tmp_path / "bundle")]) == 2
    assert message in capsys.readouterr().err
    assert api(server, "GET", f"/stations/{args[0]}")[0] in (404, 422)


def test_enrolment_needs_a_token(
    server: StationNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("KYUSUI_PROVISION_API_TOKEN", "not-a-token")
    assert enrol("naka-no-token", tmp_path / "bundle") == 2
    assert "401" in capsys.readouterr().err
    assert not (tmp_path / "bundle").exists()


def test_a_signing_key_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    assert provision(["keygen", str(keys)]) == 0
    before = (keys / "content-signing.key").read_bytes()
    assert provision(["keygen", str(keys)]) == 2
    assert "refusing" in capsys.readouterr().err
    assert (keys / "content-signing.key").read_bytes() == before
    assert stat.S_IMODE((keys / "content-signing.key").stat().st_mode) == 0o600
