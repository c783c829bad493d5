"""A technician enrols a station, installs the bundle on the Pi, and the station can talk —
only about itself."""

import stat
import threading
import tomllib
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from devnet.mosquitto import Mosquitto
from provisioning.__main__ import main as provision
from sensors.settings import AgentSettings

SERVER_PASSWORD = "server-secret"


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    assert provision(["keygen", str(tmp_path / "keys")]) == 0
    return tmp_path / "keys"


def enrol_station(keys: Path, out: Path, station_id: str = "naka-ward-office", *more: str) -> int:
    return provision(
        [
            "enrol",
            station_id,
            *more,
            "--area",
            "naka",
            "--name-ja",
            "中区役所前 給水所",
            "--name-en",
            "Naka Ward Office",
            "--broker-host",
            "127.0.0.1",
            "--broker-port",
            "1883",
            "--content-key",
            str(keys / "content-signing.pub"),
            "--out",
            str(out),
        ]
    )


def test_an_installed_bundle_is_what_the_agent_reads(
    keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "bundle"
    names = ("--name", "zh=中区政府前 供水站", "--name", "vi=Trạm nước Naka")
    assert enrol_station(keys, bundle, "naka-ward-office", *names) == 0
    root = tmp_path / "pi"
    assert provision(["install", str(bundle), "--root", str(root)]) == 0

    agent_toml = root / "etc/kyusui/agent.toml"
    assert stat.S_IMODE(agent_toml.stat().st_mode) == 0o600  # it holds the broker password
    assert (root / "var/lib/kyusui").is_dir()
    monkeypatch.setenv("KYUSUI_AGENT_CONFIG", str(agent_toml))
    settings = AgentSettings()
    assert settings.station_id == "naka-ward-office"
    assert settings.area == "naka"
    assert settings.name_ja == "中区役所前 給水所"
    assert settings.names == {"zh": "中区政府前 供水站", "vi": "Trạm nước Naka"}
    assert settings.sensor == "dht22"
    assert settings.content_keys_file == Path("/etc/kyusui/content-keys.pem")
    assert (root / "etc/kyusui/content-keys.pem").read_bytes() == (
        keys / "content-signing.pub"
    ).read_bytes()


def _publish(user: str, password: str, port: int, topic: str) -> bool:
    """Publish at QoS 1 over MQTT v5; True when the broker accepted it."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(user, password)
    outcome: list[bool] = []
    done = threading.Event()

    def on_publish(c: mqtt.Client, u: object, mid: int, reason: ReasonCode, p: object) -> None:
        outcome.append(not reason.is_failure)
        done.set()

    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        client.publish(topic, b'{"v":1}', qos=1)
        assert done.wait(10), "the broker never answered the publish"
    finally:
        client.disconnect()
        client.loop_stop()
    return outcome[0]


def test_the_bundle_lets_a_station_publish_only_its_own_topics(keys: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    assert enrol_station(keys, bundle) == 0
    password = tomllib.loads((bundle / "agent.toml").read_text())["broker_password"]
    broker = Mosquitto(
        tmp_path / "broker",
        accounts={"kyusui-server": SERVER_PASSWORD},
        extra_password_lines=[(bundle / "server/passwd-line").read_text()],
        extra_acl=(bundle / "server/acl-rule").read_text(),
    ).start()
    try:
        assert broker.port is not None
        own = "kyusui/v1/st/naka-ward-office/telemetry"
        other = "kyusui/v1/st/someone-else/telemetry"
        assert _publish("naka-ward-office", password, broker.port, own)
        assert not _publish("naka-ward-office", password, broker.port, other)
        assert not _publish("naka-ward-office", password, broker.port, "kyusui/v1/all/alert")
    finally:
        broker.stop()


@pytest.mark.parametrize(
    ("station_id", "message"),
    [("Bad Id!", "lowercase letters"), ("ok-id", "")],
)
def test_enrolment_refuses_what_could_never_work(
    keys: Path, tmp_path: Path, station_id: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundle"
    if not message:  # a second enrolment into the same bundle would mix two stations
        assert enrol_station(keys, out, station_id) == 0
        message = "not empty"
    assert enrol_station(keys, out, station_id) == 2
    assert message in capsys.readouterr().err


def test_a_signing_key_is_never_replaced(keys: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (keys / "content-signing.key").read_bytes()
    assert provision(["keygen", str(keys)]) == 2
    assert "refusing" in capsys.readouterr().err
    assert (keys / "content-signing.key").read_bytes() == before
    assert stat.S_IMODE((keys / "content-signing.key").stat().st_mode) == 0o600


def test_a_name_in_a_language_the_kiosk_does_not_show_is_refused(
    keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert enrol_station(keys, tmp_path / "b", "naka-01", "--name", "fr=Mairie") == 2
    assert "LANG=NAME" in capsys.readouterr().err
