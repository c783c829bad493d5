"""Staff set the area-wide heat alert; every station receives it signed and retained."""

import queue
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from paho.mqtt.enums import CallbackAPIVersion
from pydantic import SecretStr

from contract.content import HeatAlert
from contract.signing import key_id, verify
from contract.topics import ContentKind, alert_topic
from devnet.mosquitto import Mosquitto
from server.alerts.notify import NoNotifier
from server.api.app import create_app
from server.registry.db import Registry
from server.settings import ServerSettings
from server.store.sqlite import SqliteTimeSeries
from tests.server.conftest import ADMIN_TOKEN
from tests.server.helpers import now_ms

MESSAGE = {
    "ja": "熱中症警戒アラートが発表されています。",
    "ja-easy": "とても あつく なります。そとに でないで ください。",
    "en": "A heatstroke alert is in effect.",
    "zh": "中暑警戒警报已发布。",
    "ko": "열사병 경계 경보가 발령되었습니다.",
    "vi": "Đang có cảnh báo say nắng.",
}


def clear_retained(broker: Mosquitto) -> None:
    server = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="clear-alert", protocol=mqtt.MQTTv5)
    server.username_pw_set("kyusui-server", broker.accounts["kyusui-server"])
    assert broker.port is not None
    server.connect("127.0.0.1", broker.port)
    server.loop_start()
    server.publish(alert_topic(), b"", qos=1, retain=True).wait_for_publish(10)
    server.disconnect()
    server.loop_stop()


@pytest.fixture
def alert_topic_cleared_after(broker: Mosquitto) -> Iterator[None]:
    """The session broker is shared with every other test: leave no retained alert."""
    yield
    clear_retained(broker)


@pytest.mark.usefixtures("alert_topic_cleared_after")
def test_a_heat_alert_reaches_stations_signed_and_retained(
    broker: Mosquitto, api_settings: ServerSettings, sqlite_registry: Registry, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "signing.pem").write_bytes(pem)
    settings = api_settings.model_copy(
        update={
            "broker_port": broker.port,
            "broker_password": SecretStr(broker.accounts["kyusui-server"]),
            "signing_key_file": tmp_path / "signing.pem",
        }
    )
    store = SqliteTimeSeries(settings.timeseries_path)
    app = create_app(settings, store, sqlite_registry, NoNotifier())
    body = {
        "alert": "heatstroke_alert",
        "area": "yokohama",
        "forecast_wbgt": 33.5,
        "valid_on": "2026-08-01",
        "message": MESSAGE,
        "expires_at": "2099-08-01T23:59:00",  # JST when no zone is given
    }
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as api:
        answer = api.put("/api/v1/heat-alert", json=body)
        assert answer.status_code == 200, answer.text
        out = answer.json()
        assert out["issued_at"].endswith("+09:00")
        assert out["expires_at"] == "2099-08-01T23:59:00+09:00"
        assert out["shown_as"] == {lang: lang for lang in MESSAGE}
        legacy = api.put(
            "/api/v1/heat-alert",
            json={"alert": "heatstroke_alert", "message_ja": "古い形", "message_en": "Old form"},
        )
        assert legacy.json()["message"] == {"ja": "古い形", "en": "Old form"}
        assert legacy.json()["shown_as"]["vi"] == "en"
        answer = api.put("/api/v1/heat-alert", json=body)  # the newest is retained
        # A station that connects afterwards still gets it: it is retained.
        received: queue.Queue[bytes] = queue.Queue()
        station = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id="st-test-01-alert", protocol=mqtt.MQTTv5
        )
        station.username_pw_set("st-test-01", broker.accounts["st-test-01"])
        station.on_message = lambda c, u, m: received.put(bytes(m.payload))
        station.on_connect = lambda c, *a: c.subscribe(alert_topic(), 1)
        assert broker.port is not None
        station.connect("127.0.0.1", broker.port)
        station.loop_start()
        try:
            raw = received.get(timeout=10)
        finally:
            station.disconnect()
            station.loop_stop()
        cleared = api.put("/api/v1/heat-alert", json={"alert": "none"})
        assert cleared.status_code == 200
        refused = api.put("/api/v1/heat-alert", json={"alert": "none", "message_en": "x"})
        assert refused.json()["error"]["code"] == "invalid_request"
    store.close()
    content = verify(raw, {key_id(key.public_key()): key.public_key()}, ContentKind.ALERT, now_ms())
    assert isinstance(content, HeatAlert)
    assert content.alert.value == "heatstroke_alert"
    assert content.message == MESSAGE
    assert content.message_for("vi") == ("vi", MESSAGE["vi"])
    assert cleared.json()["version"] > content.version  # stations accept the clearing


def test_without_a_signing_key_nothing_is_published(api: TestClient) -> None:
    answer = api.put("/api/v1/heat-alert", json={"alert": "heatstroke_alert"})
    assert answer.status_code == 503
    assert "signing" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"alert": "heatstroke_alert", "valid_on": "2026-02-30"}, "valid_on"),
        ({"alert": "heatstroke_alert", "expires_at": "2020-08-01T18:00:00+09:00"}, "past"),
        ({"alert": "heatstroke_alert", "message": {"en": "English only"}}, "ja"),
        ({"alert": "heatstroke_alert", "message": {"ja": "暑い", "fr": "Chaud"}}, "message"),
        ({"alert": "heatstroke_alert", "message": {"ja": "暑い", "vi": ""}}, "message"),
    ],
)
def test_an_impossible_day_a_past_expiry_or_no_japanese_is_refused(
    api: TestClient, body: dict[str, object], says: str
) -> None:
    answer = api.put("/api/v1/heat-alert", json=body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_request"
    assert says in error["message"]


def test_an_alert_retained_before_there_were_more_languages_still_reads() -> None:
    old = {
        "kind": "alert", "id": "kanagawa", "version": 5, "issued_at": 1785877200000,
        "alert": "heatstroke_alert", "valid_on": "2026-08-05",
        "message": {"ja": "熱中症警戒アラートが発表されています。", "en": "A heatstroke alert."},
    }  # fmt: skip
    alert = HeatAlert.model_validate(old)
    assert alert.message_for("vi") == ("en", "A heatstroke alert.")
    assert alert.message_for("ja-easy") == ("ja", "熱中症警戒アラートが発表されています。")
