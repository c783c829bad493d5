"""Kyusui ingest against the pipeline a ward's IT staff would otherwise wire up: Node-RED.

Node-RED and ``node-red-contrib-influxdb`` are installed from npm into a temporary directory
(not this repository's package.json) and run a batched flow: ``mqtt in`` (QoS 1, a fixed
client id, a persistent session) → a function turning one telemetry message into InfluxDB
points with the fields Kyusui writes → ``join`` (500 messages or 50 ms) → ``influxdb
batch``. Against the same private Mosquitto, the same stream (bench/rig.py's: STATIONS ×
PER_STATION one-reading telemetry messages, QoS 1, 20 × 5,000 here unless set) and the same
InfluxDB, each consumer alone on a fresh database:

  1. raw ``mosquitto_sub`` delivery (the ceiling),
  2. the Node-RED flow,
  3. one Kyusui ingest worker into InfluxDB (its defaults: stored confirmations on),
  4. two Kyusui workers into InfluxDB (one host, a shared subscription),
  5. one Kyusui ingest worker into SQLite,
  6. a ``kill -9`` round for the flow and for a Kyusui worker into InfluxDB, both with a
     persistent session (1 h), each on a fresh broker: the stream starts, the consumer is
     SIGKILLed once a third is stored and started again at once; lost = sent − stored
     once it settles.

Rates count readings stored (polled), from the first publish. CPU is the user + system time
the consumer's process used from the first publish until the whole stream was stored (start-up
left out), per 1,000 messages; RSS its peak over its life (``wait4``). The last line is one
JSON object. A benchmark, not a test: CI does not run it. Needs npm and about a minute for
the install; ``BENCH_NODE_RED_DIR`` reuses an install.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("BENCH_PER_STATION", "5000")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rig import (  # noqa: E402
    PER_STATION,
    SERVER,
    STATIONS,
    TOTAL,
    Kyusui,
    Usage,
    cpu_s,
    forget_session,
    landed,
    landed_since,
    last_ts,
    publish,
    raw_rate,
    stream_files,
    until_stored,
)
from devnet.influx import InfluxDB  # noqa: E402
from devnet.mosquitto import Mosquitto  # noqa: E402
from devnet.ports import free_port  # noqa: E402

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


@dataclass
class Result:
    msgs_per_s: float
    cpu_s_per_1000: float
    peak_rss_mb: float


def measured(consumer: "NodeRed | Kyusui", broker: Mosquitto, files: dict[str, Path]) -> Result:
    consumer.init()
    consumer.start()
    try:
        before = cpu_s(consumer.pids())
        rate = until_stored(consumer.stored, publish(broker, files), consumer.last_of(files))
        used = cpu_s(consumer.pids()) - before
    finally:
        consumer.stop()
    return Result(rate, used / TOTAL * 1000, consumer.usage.peak_rss_mb)


def settled(stored: Callable[[], int], quiet_s: float = 5.0) -> int:
    """The stored count once it stops growing (or is whole)."""
    last, since = -1, time.monotonic()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        n = stored()
        if n >= TOTAL:
            return n
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since > quiet_s:
            return n
        time.sleep(0.2)
    return last


def lost_on_kill(consumer: "NodeRed | Kyusui", broker: Mosquitto, files: dict[str, Path]) -> int:
    """Stream, SIGKILL the consumer a third of the way in, start it again; sent − stored."""
    consumer.init()
    consumer.start()
    publishing = threading.Thread(target=publish, args=(broker, files))
    publishing.start()
    try:
        deadline = time.monotonic() + 120
        while consumer.stored() < TOTAL // 3:
            if time.monotonic() > deadline:
                raise RuntimeError("the stream did not get a third of the way")
            time.sleep(0.1)
        consumer.kill()
        consumer.start()
        publishing.join()
        return TOTAL - settled(consumer.stored)
    finally:
        publishing.join()
        consumer.stop()


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="kyusui-peer-"))
    script = install_node_red(Path(os.environ.get("BENCH_NODE_RED_DIR") or workdir / "npm"))
    stations = {f"bench-{s:03d}": secrets.token_urlsafe(8) for s in range(STATIONS)}

    def new_broker(name: str) -> Mosquitto:
        return Mosquitto(
            workdir / name,
            accounts={SERVER: secrets.token_urlsafe(8)} | stations,
            station_areas=dict.fromkeys(stations, "bench"),
            port=free_port(),
        ).start()

    broker = new_broker("broker")
    influx = InfluxDB(workdir / "influx").start()
    try:
        files = stream_files(workdir, int(time.time() * 1000) - PER_STATION * 1000)
        print(f"stream: {TOTAL} one-reading telemetry messages (QoS 1)", flush=True)
        raw = raw_rate(broker, files)
        print(f"mosquitto_sub (raw delivery): {raw:,.0f} msg/s", flush=True)
        flow_ = measured(NodeRed(script, broker, influx, workdir), broker, files)
        print(f"Node-RED, batched flow:       {flow_}", flush=True)
        influx_ = measured(Kyusui(broker, workdir, influx=influx), broker, files)
        print(f"Kyusui ingest, InfluxDB v1:   {influx_}", flush=True)
        two_ = measured(Kyusui(broker, workdir, influx=influx, workers=2), broker, files)
        print(f"Kyusui ingest, 2 workers:     {two_}", flush=True)
        sqlite_ = measured(Kyusui(broker, workdir, backend="sqlite"), broker, files)
        print(f"Kyusui ingest, SQLite:        {sqlite_}", flush=True)
        # Each kill round on a broker of its own: after several 100,000-message runs one
        # Mosquitto 2.0.11 was seen to drop much of a resumed session's backlog, for
        # either consumer; a fresh broker shows what the consumer itself loses.
        broker.stop()
        broker = new_broker("broker-kill-node-red")
        flow_lost = lost_on_kill(NodeRed(script, broker, influx, workdir), broker, files)
        print(f"kill -9, Node-RED: {flow_lost} lost", flush=True)
        broker.stop()
        broker = new_broker("broker-kill-kyusui")
        kyusui = Kyusui(broker, workdir, influx=influx, session_expiry_s=SESSION_EXPIRY_S)
        kyusui_lost = lost_on_kill(kyusui, broker, files)
        print(f"kill -9, Kyusui (InfluxDB): {kyusui_lost} lost", flush=True)

        def figures(r: Result) -> dict[str, float]:
            return {
                "msgs_per_s": round(r.msgs_per_s),
                "x_raw": round(r.msgs_per_s / raw, 2),
                "cpu_s_per_1000": round(r.cpu_s_per_1000, 3),
                "peak_rss_mb": round(r.peak_rss_mb),
            }

        print(
            json.dumps(
                {
                    "messages": TOTAL,
                    "raw_msgs_per_s": round(raw),
                    "node_red": figures(flow_) | {"lost_on_kill9": flow_lost},
                    "kyusui_influxdb": figures(influx_) | {"lost_on_kill9": kyusui_lost},
                    "kyusui_sqlite": figures(sqlite_),
                    "kyusui_influxdb_2workers": figures(two_),
                    "ratio_influxdb": round(influx_.msgs_per_s / flow_.msgs_per_s, 2),
                    "ratio_influxdb_2workers": round(two_.msgs_per_s / flow_.msgs_per_s, 2),
                    "ratio_sqlite": round(sqlite_.msgs_per_s / flow_.msgs_per_s, 2),
                }
            )
        )
    finally:
        influx.stop()
        broker.stop()


if __name__ == "__main__":
    main()
