"""The peer of ``bench/peer.py``: a batched Node-RED flow writing the stream into InfluxDB.

Node-RED and ``node-red-contrib-influxdb`` are installed from npm into a directory of the
benchmark's (not this repository's package.json). The flow: ``mqtt in`` (QoS 1, a fixed
client id, a persistent session) → a function turning one telemetry message into InfluxDB
points with the fields Kyusui writes → ``join`` (500 messages or 50 ms) → ``influxdb batch``.
"""

import json
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.rig import SERVER, Usage, forget_session, landed, landed_since, last_ts
from devnet.influx import InfluxDB
from devnet.mosquitto import Mosquitto
from devnet.ports import free_port

PACKAGES = ["node-red@4", "node-red-contrib-influxdb@0.7"]
SESSION_EXPIRY_S = 3600

# One telemetry message → one point per reading, the fields and codes Kyusui writes.
FUNCTION = """
const station = msg.topic.split("/")[3];
const quality = {ok: 0, extrapolated: 1, fault: 2};
const time = {synced: 0, redated: 1, unsynced: 2};
const level = {safe: 0, caution: 1, warning: 2, severe_warning: 3, danger: 4};
return [msg.payload.readings.map(r => ({payload: {
    measurement: "reading",
    tags: {station: station},
    fields: {quality: quality[r.quality], time_source: time[r.time], temp_c: r.temp_c,
             rh: r.rh, wbgt: r.wbgt, level: level[r.level]},
    timestamp: r.ts,
}}))];
"""


def install_node_red(where: Path) -> Path:
    """Node-RED's start script, installed from npm into ``where``."""
    script = where / "node_modules" / "node-red" / "red.js"
    if not script.exists():
        if shutil.which("npm") is None:
            raise RuntimeError("npm is not installed: run 'sudo apt-get install npm'")
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(where), *PACKAGES],
            check=True,
            capture_output=True,
        )
    return script


# Node ids: Node-RED takes any property equal to a node's id for a reference to it.
PEER_ID = "f10e0000000001"
BROKER_ID = "c0f1000000000b"
IN_ID = "f10e000000000a"
POINTS_ID = "f10e000000000f"
JOIN_ID = "f10e000000000c"
WRITE_ID = "f10e000000000d"
INFLUX_ID = "c0f1000000000e"


def flow(broker: Mosquitto, influx: InfluxDB, database: str) -> list[dict[str, object]]:
    """The flow; its client id is the database's name, fixed for the run."""
    return [
        {"id": PEER_ID, "type": "tab", "label": "peer"},
        {
            "id": BROKER_ID,
            "type": "mqtt-broker",
            "broker": "127.0.0.1",
            "port": str(broker.port),
            "clientid": database,
            "autoConnect": True,
            "usetls": False,
            "protocolVersion": "5",
            "keepalive": "60",
            "cleansession": False,
            "sessionExpiry": str(SESSION_EXPIRY_S),
            "autoUnsubscribe": False,
        },
        {
            "id": IN_ID,
            "type": "mqtt in",
            "z": PEER_ID,
            "topic": "kyusui/v1/st/+/telemetry",
            "qos": "1",
            "datatype": "json",
            "broker": BROKER_ID,
            "nl": False,
            "rap": True,
            "rh": 0,
            "inputs": 0,
            "wires": [[POINTS_ID]],
        },
        {
            "id": POINTS_ID,
            "type": "function",
            "z": PEER_ID,
            "func": FUNCTION,
            "outputs": 1,
            "wires": [[JOIN_ID]],
        },
        {
            "id": JOIN_ID,
            "type": "join",
            "z": PEER_ID,
            "mode": "custom",
            "build": "array",
            "property": "payload",
            "propertyType": "msg",
            "key": "topic",
            "joiner": "\\n",
            "joinerType": "str",
            "accumulate": False,
            "timeout": "0.05",
            "count": "500",
            "reduceRight": False,
            "wires": [[WRITE_ID]],
        },
        {
            "id": WRITE_ID,
            "type": "influxdb batch",
            "z": PEER_ID,
            "influxdb": INFLUX_ID,
            "precision": "ms",
            "retentionPolicy": "",
            "wires": [],
        },
        {
            "id": INFLUX_ID,
            "type": "influxdb",
            "hostname": "127.0.0.1",
            "port": str(influx.port),
            "protocol": "http",
            "database": database,
            "usetls": False,
            "influxdbVersion": "1.x",
        },
    ]


@dataclass
class NodeRed:
    """The batched flow in a Node-RED of its own, writing into a fresh database."""

    script: Path
    broker: Mosquitto
    influx: InfluxDB
    workdir: Path
    name: str = field(default_factory=lambda: f"peer_{secrets.token_hex(3)}")
    proc: subprocess.Popen[bytes] | None = None
    usage: Usage = field(default_factory=Usage)
    starts: int = 0

    def init(self) -> None:
        user = self.workdir / self.name
        user.mkdir(parents=True)
        (user / "flows.json").write_text(json.dumps(flow(self.broker, self.influx, self.name)))
        (user / "flows_cred.json").write_text(
            json.dumps(
                {
                    BROKER_ID: {"user": SERVER, "password": self.broker.accounts[SERVER]},
                    INFLUX_ID: {"username": "", "password": ""},
                }
            )
        )
        (user / "settings.js").write_text(
            f"module.exports = {{uiHost: '127.0.0.1', uiPort: {free_port()}, httpAdminRoot: false,"
            " httpNodeRoot: false, flowFile: 'flows.json', credentialSecret: false,"
            " logging: {console: {level: 'info'}}};\n"
        )
        self.influx.query(f'CREATE DATABASE "{self.name}"')

    def stored(self) -> int:
        return landed(self.influx, self.name)

    def last_of(self, files: dict[str, Path]) -> Callable[[], int]:
        influx, since = self.influx, last_ts(files)
        return lambda: landed_since(influx, self.name, since)

    def start(self) -> None:
        user = self.workdir / self.name
        self.starts += 1
        log = user / f"node-red-{self.starts}.log"
        self.proc = subprocess.Popen(
            ["node", str(self.script), "--userDir", str(user), "--settings", "settings.js"],
            cwd=user,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while "Connected to broker" not in log.read_text():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"Node-RED did not connect; see {log}")
            time.sleep(0.05)
        time.sleep(0.5)  # subscribed by then
        if "Error" in log.read_text():
            raise RuntimeError(f"Node-RED could not start the flow; see {log}")

    def pids(self) -> list[int]:
        return [] if self.proc is None else [self.proc.pid]

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.usage.add(self.proc)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.usage.add(self.proc)
            self.proc = None
            forget_session(self.broker, self.name)
