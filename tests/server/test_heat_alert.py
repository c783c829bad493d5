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
        "message_ja": "熱中症警戒アラートが発表されています。",
        "message_en": "A heatstroke alert is in effect.",
    }
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as api:
        answer = api.put("/api/v1/heat-alert", json=body)
        assert answer.status_code == 200, answer.text
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
    assert content.message == {"ja": body["message_ja"], "en": body["message_en"]}
    assert cleared.json()["version"] > content.version  # stations accept the clearing


def test_without_a_signing_key_nothing_is_published(api: TestClient) -> None:
    answer = api.put("/api/v1/heat-alert", json={"alert": "heatstroke_alert"})
    assert answer.status_code == 503
    assert "signing" in answer.json()["error"]["message"]
