"""An API that signs and publishes notices to the session broker, and a station's view of
what the broker keeps for it."""

import contextlib
import queue
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from paho.mqtt.enums import CallbackAPIVersion
from pydantic import SecretStr

from contract.signing import key_id, load_public_key
from devnet.mosquitto import Mosquitto
from provisioning.keys import PRIVATE_NAME, PUBLIC_NAME, generate_keypair
from server.settings import ServerSettings
from tests.conftest import SERVER_USER


def trusted_keys(directory: Path) -> dict[str, Ed25519PublicKey]:
    public = load_public_key((directory / PUBLIC_NAME).read_bytes())
    return {key_id(public): public}


def publishing_settings(
    api_settings: ServerSettings, broker: Mosquitto, keys: Path, user: str = SERVER_USER
) -> ServerSettings:
    if not (keys / PRIVATE_NAME).exists():
        generate_keypair(keys)
    return api_settings.model_copy(
        update={
            "broker_port": broker.port,
            "broker_username": user,
            "broker_password": SecretStr(broker.accounts[user]),
            "signing_key_file": keys / PRIVATE_NAME,
        }
    )


def clear_retained(broker: Mosquitto, topics: list[str]) -> None:
    """The session broker is shared with every other test: leave no retained notice."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"clear-{time.time_ns()}", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(SERVER_USER, broker.accounts[SERVER_USER])
    assert broker.port is not None
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    try:
        for topic in topics:
            client.publish(topic, b"", qos=1, retain=True).wait_for_publish(10)
    finally:
        client.disconnect()
        client.loop_stop()


def retained(
    broker: Mosquitto, station: str, topic_filter: str, wait_s: float = 1.5, notice_id: str = ""
) -> list[bytes]:
    """What a station connecting now is sent on ``topic_filter``: the retained messages
    (with ``notice_id``, only those on that notice's topic)."""
    received: queue.Queue[tuple[str, bytes]] = queue.Queue()
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"{station}-{time.time_ns()}", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(station, broker.accounts[station])
    client.on_connect = lambda c, *a: c.subscribe(topic_filter, 1)
    client.on_message = lambda c, u, m: received.put((m.topic, bytes(m.payload)))
    assert broker.port is not None
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    found: list[tuple[str, bytes]] = []
    try:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                found.append(received.get(timeout=0.1))
    finally:
        client.disconnect()
        client.loop_stop()
    suffix = f"/notices/{notice_id}" if notice_id else ""
    return [payload for topic, payload in found if payload and topic.endswith(suffix)]
