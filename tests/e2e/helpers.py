"""Talking to a running station network the way its users do: MQTT, the REST API, the logs."""

import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from devnet.network import StationNetwork
from devnet.ports import free_port

T = TypeVar("T")


@contextmanager
def station_network(workdir: Path) -> Iterator[StationNetwork]:
    """The demo's network on free ports, a reading a second, no simulated sensor failures."""
    network = StationNetwork(
        workdir,
        reading_interval_s=1.0,
        failure_rate=0.0,
        broker_port=free_port(),
        api_port=free_port(),
    )
    try:
        network.start()
        yield network
    finally:
        network.stop()


def wait_for(
    what: str, probe: Callable[[], T | None], timeout_s: float = 20.0, step_s: float = 0.2
) -> T:
    """Poll ``probe`` every ``step_s`` until it returns something other than None."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout_s} s waiting for {what}")
        time.sleep(step_s)


def api_get(network: StationNetwork, path: str, **params: str) -> Any:
    response = httpx.get(
        f"{network.api_url}{path}",
        params=params,
        headers={"Authorization": f"Bearer {network.api_token}"},
        timeout=10,
    )
    assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
    return response.json()


def epoch_ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso).timestamp() * 1000)


@contextmanager
def mqtt_session(
    network: StationNetwork, user: str, subscribe: str | None = None
) -> Iterator[tuple[mqtt.Client, "queue.Queue[mqtt.MQTTMessage]"]]:
    """A connected MQTT v5 client with ``user``'s password; messages on ``subscribe`` queue up."""
    assert network.broker is not None
    assert network.broker.port is not None
    received: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    ready = threading.Event()
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"{user}-e2e-{time.time_ns()}", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(user, network.passwords[user])

    def on_connect(c: mqtt.Client, userdata: object, flags: Any, reason: Any, props: Any) -> None:
        assert not reason.is_failure, f"broker refused {user}: {reason}"
        if subscribe is None:
            ready.set()
        else:
            c.subscribe(subscribe, qos=1)

    client.on_connect = on_connect
    client.on_subscribe = lambda *_: ready.set()
    client.on_message = lambda c, u, message: received.put(message)
    client.connect("127.0.0.1", network.broker.port)
    client.loop_start()
    try:
        assert ready.wait(10), f"{user} could not connect and subscribe"
        yield client, received
    finally:
        client.disconnect()
        client.loop_stop()


def publish(client: mqtt.Client, topic: str, payload: bytes) -> None:
    """Publish with QoS 1 and insist that the broker accepted it."""
    info = client.publish(topic, payload, qos=1)
    info.wait_for_publish(10)
    assert info.is_published()


QUARANTINE = re.compile(r"quarantined message on (?P<topic>\S+): (?P<reason>[a-z_]+):")


def rejections(log: Path, topic: str) -> list[str]:
    """The reasons the ingest log gives for the messages it refused on ``topic``, in order."""
    if not log.exists():
        return []
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            text = str(json.loads(line).get("message", ""))
        except (json.JSONDecodeError, AttributeError):
            text = line
        match = QUARANTINE.search(text)
        if match and match["topic"] == topic:
            found.append(match["reason"])
    return found
