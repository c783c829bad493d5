"""A test server (broker + ingest + API on loopback) and how a technician enrols against it."""

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from devnet.network import StationNetwork
from devnet.ports import free_port
from provisioning.__main__ import main as provision
from provisioning.keys import PUBLIC_NAME

NAKA = ["--area", "naka", "--name-ja", "中区役所前 給水所", "--name-en", "Naka Ward Office"]


@contextmanager
def test_server(workdir: Path) -> Iterator[StationNetwork]:
    """Broker, ingest and API, no stations yet: what ``enrol`` talks to."""
    network = StationNetwork(workdir, stations=(), broker_port=free_port(), api_port=free_port())
    try:
        network.start()
        yield network
    finally:
        network.stop()


def server_env(network: StationNetwork) -> dict[str, str]:
    """What /etc/kyusui/provision.toml holds on a real server, as environment variables."""
    assert network.broker is not None
    assert network.broker.process is not None
    broker_dir = network.broker.workdir
    return {
        "KYUSUI_PROVISION_CONFIG": str(network.workdir / "provision.toml"),
        "KYUSUI_PROVISION_API_URL": network.api_url,
        "KYUSUI_PROVISION_API_TOKEN": network.api_token,
        "KYUSUI_PROVISION_BROKER_HOST": "127.0.0.1",
        "KYUSUI_PROVISION_BROKER_PORT": str(network.broker.port),
        "KYUSUI_PROVISION_CONTENT_KEY_FILE": str(network.keys_dir / PUBLIC_NAME),
        "KYUSUI_PROVISION_BROKER_PASSWD_FILE": str(broker_dir / "passwd"),
        "KYUSUI_PROVISION_BROKER_ACL_FILE": str(broker_dir / "acl"),
        "KYUSUI_PROVISION_BROKER_RELOAD_COMMAND": f"kill -HUP {network.broker.process.pid}",
    }


@contextmanager
def provisioning_env(network: StationNetwork, **drop: bool) -> Iterator[None]:
    env = {k: v for k, v in server_env(network).items() if not drop.get(k)}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def enrol(station_id: str, out: Path, *extra: str) -> int:
    return provision(["enrol", station_id, *NAKA, "--out", str(out), *extra])


def api(network: StationNetwork, method: str, path: str, body: object = None) -> Any:
    response = httpx.request(
        method,
        f"{network.api_url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {network.api_token}"},
        timeout=10,
    )
    return response.status_code, (response.json() if response.content else None)


def connect_result(port: int, user: str, password: str) -> ReasonCode:
    """Connect over MQTT v5 and return the broker's CONNACK reason."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"{user}-{time.time_ns()}", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(user, password)
    outcome: list[ReasonCode] = []
    done = threading.Event()

    def on_connect(c: mqtt.Client, u: object, f: object, reason: ReasonCode, p: object) -> None:
        outcome.append(reason)
        done.set()

    client.on_connect = on_connect
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        assert done.wait(10), "the broker never answered the connect"
    finally:
        client.disconnect()
        client.loop_stop()
    return outcome[0]


@contextmanager
def connected(port: int, user: str, password: str) -> Iterator[threading.Event]:
    """A connected client; the event is set when the broker drops it."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"{user}-kept-{time.time_ns()}", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(user, password)
    up, dropped = threading.Event(), threading.Event()
    client.on_connect = lambda c, u, f, reason, p: up.set() if not reason.is_failure else None
    client.on_disconnect = lambda c, u, f, reason, p: dropped.set()
    client.reconnect_delay_set(60, 120)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        assert up.wait(10), f"{user} could not connect"
        yield dropped
    finally:
        client.disconnect()
        client.loop_stop()
