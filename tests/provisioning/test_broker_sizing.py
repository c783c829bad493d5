"""The broker configuration install-server writes is sized for the fleet and Mosquitto takes it."""

import os
import subprocess
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from devnet.ports import free_port, wait_for_port
from provisioning.server_install import broker_limits, broker_unit_drop_in, mosquitto_conf


def test_twenty_thousand_stations_get_room_for_their_connections_and_files() -> None:
    connections, open_files = broker_limits(20_000)
    assert connections >= 25_000  # a reconnecting station's old connection may linger
    assert open_files >= 2 * connections
    conf = mosquitto_conf(8883, 1883, tls=True, stations=20_000).splitlines()
    station_listener = conf.index("listener 8883")
    assert conf[station_listener + 1] == f"max_connections {connections}"
    assert conf[conf.index("listener 1883 127.0.0.1") + 1].startswith("max_connections ")
    assert f"LimitNOFILE={open_files}" in broker_unit_drop_in(20_000)


def test_mosquitto_starts_with_the_written_configuration(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "passwd").write_text("")
    (tmp_path / "acl").write_text("topic read $SYS/#\n")
    lines = [
        f"password_file {tmp_path / 'passwd'}"
        if line.startswith("password_file")
        else f"acl_file {tmp_path / 'acl'}"
        if line.startswith("acl_file")
        else line
        for line in mosquitto_conf(port, port, tls=False, stations=20_000).splitlines()
    ]
    lines = [line.replace("allow_anonymous false", "allow_anonymous true") for line in lines]
    conf = tmp_path / "mosquitto.conf"
    # A root start would drop to user mosquitto, who cannot read the test's private dir.
    extra = ["user root"] if os.geteuid() == 0 else []
    conf.write_text("\n".join([*lines, *extra, "persistence false", "log_dest stderr", ""]))
    broker = subprocess.Popen(["mosquitto", "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        wait_for_port(port)
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        assert client.connect("127.0.0.1", port) == mqtt.MQTT_ERR_SUCCESS
        client.disconnect()
    finally:
        broker.terminate()
        _, err = broker.communicate(timeout=10)
    assert b"Error" not in err, err.decode()
