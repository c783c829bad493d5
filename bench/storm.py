"""The reconnect storm: N stations come back after a broker restart.

A private Mosquitto is configured as ``kyusui-provision install-server --stations N``
would configure it (the stations' passwords and ACL as provisioning writes them,
``max_connections`` from ``broker_limits``, persistence on, Mosquitto's default autosave);
ingest's place is taken by one counting subscriber (persistent session, QoS 1, on its own
listen socket, as ingest has the local listener). MQTT.js (installed from npm into a
temporary directory) opens N sessions shaped like the agent's (bench/storm_clients.js).

Then, for each reconnect rule — a fixed 1 s wait (no back-off: "fixed"), the agents' rule
before its first window was widened (1–2 s, then doubling: "narrow") and the agents' rule
(sensors/uplink/backoff.py, first window ``--spread``, ported into the generator) — the bench
saves the broker's persistence file (SIGUSR1, as a broker that has run a while has one),
kills it (SIGKILL), starts it again at once and measures: time until every station is
back, the worst single connect, failed attempts, the kernel's listen-queue overflows
(``ListenOverflows`` in /proc/net/netstat, for the whole network namespace), the restarted
broker's RSS, and whether every reading sent arrived at the subscriber.

Every process has its own open-files limit; the bench raises its soft limit to the hard
one and runs no more stations than the broker can hold under it (the hard limit cannot be
raised without CAP_SYS_RESOURCE), and says so.

Usage: python bench/storm.py [--stations 20000] [--period 60] [--modes narrow,backoff]
       [--spread 10] [--ramp 1000]
The last line is one JSON object.
"""

import argparse
import json
import os
import queue
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procstat import cpu_s, status_mb  # noqa: E402
from contract.topics import StationTopic, station_subscriptions, station_topic  # noqa: E402
from devnet.mosquitto import Mosquitto  # noqa: E402
from devnet.ports import free_port  # noqa: E402
from provisioning.passwords import mosquitto_password_line  # noqa: E402
from provisioning.server_install import broker_limits  # noqa: E402
from sensors.uplink.backoff import (  # noqa: E402
    RECONNECT_MAX_S,
    RECONNECT_MIN_S,
    RECONNECT_SPREAD_S,
)

SERVER = "kyusui-server"
PREFIX = "storm-"
MQTT_JS = "mqtt@5"
PROCESSES = 2  # Node processes sharing the sessions (each has its own open-files limit)
SPARE_FDS = 64  # the broker's own files: listeners, log, persistence, stdio
SUBSCRIBER_ADDRESS = "127.0.0.2"  # its own listen socket, as ingest's local listener
KEEPALIVE_S = 30  # sensors/settings.py broker_keepalive_s
CONNECT_TIMEOUT_S = 30  # until CONNACK; paho waits about a keepalive for it
RAMP_PER_S = 1000  # the first connect; lower it where the broker's password check is slow
SETTLE_S = 5.0
AFTER_S = 10.0  # readings keep flowing this long after the last station is back
STORM_LIMIT_S = 600.0
DRAIN_S = 60.0


def open_files_limit() -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def listen_overflows() -> int:
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2], strict=True):
        if names.startswith("TcpExt:"):
            row = dict(zip(names.split()[1:], values.split()[1:], strict=True))
            return int(row["ListenOverflows"])
    return 0


def install_mqtt_js(workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed: run 'sudo apt-get install npm'")
    target = workdir / "npm"
    target.mkdir()
    subprocess.run(
        [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(target), MQTT_JS],
        check=True,
        capture_output=True,
    )
    return target / "node_modules"


class Subscriber:
    """Counts distinct (station, seq) telemetry readings, like a single ingest worker."""

    def __init__(self, port: int, password: str) -> None:
        self.seen: set[tuple[str, int]] = set()
        self.received = 0
        self.lock = threading.Lock()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id="storm-ingest", protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set(SERVER, password)
        self.client.reconnect_delay_set(1, 1)
        self.client.on_connect = lambda c, *_: c.subscribe("kyusui/v1/st/+/telemetry", qos=1)
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.on_message = self._on_message
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = 3600
        self.client.connect(
            SUBSCRIBER_ADDRESS, port, keepalive=30, clean_start=False, properties=properties
        )
        self.client.loop_start()
        if not self.subscribed.wait(10):
            raise RuntimeError("the subscriber did not subscribe")

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        station = msg.topic.split("/")[3]
        seq = int(json.loads(msg.payload)["seq"])
        with self.lock:
            self.received += 1
            self.seen.add((station, seq))

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@dataclass(frozen=True)
class Shape:
    """How the simulated stations behave: reading period, first-connect ramp, and the first
    reconnect window of the back-off rule (the agent's reconnect_spread_s)."""

    period_s: float = 60.0
    ramp_per_s: float = RAMP_PER_S
    spread_s: float = RECONNECT_SPREAD_S

    def spread_for(self, mode: str) -> float:
        # "narrow": the rule before the first window was widened, 1 s to twice that.
        return 2 * RECONNECT_MIN_S if mode == "narrow" else self.spread_s


class Fleet:
    """The Node processes holding the stations' sessions."""

    def __init__(
        self, node_modules: Path, port: int, secret: str, stations: int, mode: str, shape: Shape
    ) -> None:
        share = -(-stations // PROCESSES)
        example = "st-00000"

        def template(topic: str) -> str:
            return topic.replace(example, "{id}")

        topics = [template(t) for t in station_subscriptions(example, None)]
        self.procs: list[subprocess.Popen[str]] = []
        for first in range(0, stations, share):
            cfg = {
                "node_modules": str(node_modules),
                "host": "127.0.0.1",
                "port": port,
                "first": first,
                "count": min(share, stations - first),
                "prefix": PREFIX,
                "password_prefix": secret,
                "mode": "fixed" if mode == "fixed" else "backoff",
                "min_s": RECONNECT_MIN_S,
                "max_s": RECONNECT_MAX_S,
                "spread_s": shape.spread_for(mode),
                "fixed_s": RECONNECT_MIN_S,
                "keepalive_s": KEEPALIVE_S,
                "connect_timeout_s": CONNECT_TIMEOUT_S,
                "period_s": shape.period_s,
                "ramp_per_s": shape.ramp_per_s / PROCESSES,
                "drain_s": DRAIN_S,
                "telemetry": template(station_topic(example, StationTopic.TELEMETRY)),
                "status": template(station_topic(example, StationTopic.STATUS)),
                "subscriptions": topics,
            }
            self.procs.append(
                subprocess.Popen(
                    ["node", str(ROOT / "bench" / "storm_clients.js"), json.dumps(cfg)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )

        self.events: queue.SimpleQueue[tuple[int, dict[str, Any]]] = queue.SimpleQueue()
        for n, proc in enumerate(self.procs):
            threading.Thread(target=self._read, args=(n, proc), daemon=True).start()

    def _read(self, n: int, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.events.put((n, json.loads(line)))
        self.events.put((n, {"ended": True}))

    def wait(self, key: str, timeout_s: float) -> list[Any]:
        """Until every process has sent an event with ``key``; their values in order."""
        values: dict[int, Any] = {}
        deadline = time.monotonic() + timeout_s
        while len(values) < len(self.procs):
            try:
                n, event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(f"no '{key}' from the load generator in {timeout_s} s") from None
            if "ended" in event and n not in values:  # one that answered may end at once
                raise RuntimeError(f"the load generator ended without '{key}'")
            if key in event:
                values[n] = event[key]
        return [values[n] for n in range(len(self.procs))]

    def command(self, word: str) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(word + "\n")
            proc.stdin.flush()

    def reports(self, killed_ms: int) -> list[dict[str, Any]]:
        self.command(f"report {killed_ms}")
        reports = self.wait("report", DRAIN_S + 30)
        for proc in self.procs:
            proc.wait(30)
        return reports

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def storm(
    workdir: Path, node_modules: Path, stations: int, mode: str, shape: Shape
) -> dict[str, Any]:
    secret = secrets.token_urlsafe(6)
    ids = [f"{PREFIX}{i:05d}" for i in range(stations)]
    server_password = secrets.token_urlsafe(8)
    connections, open_files = broker_limits(stations)
    broker = Mosquitto(
        workdir / f"broker-{mode}-{stations}",
        accounts={SERVER: server_password},
        extra_password_lines=[
            mosquitto_password_line(sid, f"{secret}{i}") for i, sid in enumerate(ids)
        ],
        port=free_port(),
        extra_addresses=[SUBSCRIBER_ADDRESS],
        max_connections=connections,
        autosave_interval_s=None,
    ).start()
    subscriber = Subscriber(broker.port or 0, server_password)
    fleet = Fleet(node_modules, broker.port or 0, secret, stations, mode, shape)
    try:
        t = time.monotonic()
        fleet.wait("ready", STORM_LIMIT_S)
        first_connect_s = time.monotonic() - t
        time.sleep(SETTLE_S)
        assert broker.process is not None
        broker.process.send_signal(signal.SIGUSR1)  # save now, as autosave would have
        time.sleep(2.0)
        overflows = listen_overflows()
        broker.kill()
        killed = time.time()
        t = time.monotonic()
        broker.restart()
        restart_s = time.monotonic() - t
        try:
            fleet.wait("all_back", STORM_LIMIT_S)
        except RuntimeError as exc:
            print(exc, flush=True)  # reported as not_back below
        assert broker.process is not None
        rss, hwm = status_mb(broker.process.pid), status_mb(broker.process.pid, "VmHWM")
        broker_cpu = cpu_s(broker.process.pid)
        overflows = listen_overflows() - overflows
        time.sleep(AFTER_S)
        fleet.command("stop")
        reports = fleet.reports(int(killed * 1000))
        deadline = time.monotonic() + DRAIN_S
        sent = sum(r["readings"] for r in reports)
        while len(subscriber.seen) < sent and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        fleet.stop()
        subscriber.stop()
        broker.stop()
    tenths: dict[int, int] = {}
    for r in reports:
        for ds, n in r["back_ds"].items():
            tenths[int(ds)] = tenths.get(int(ds), 0) + n
    back = [ds / 10 for ds in sorted(tenths) for _ in range(tenths[ds])]
    not_back = sum(r["not_back"] for r in reports)
    per_second: dict[int, int] = {}
    for b in back:
        per_second[int(b)] = per_second.get(int(b), 0) + 1
    return {
        "stations": stations,
        "reconnect": mode,
        "spread_s": None if mode == "fixed" else shape.spread_for(mode),
        "first_connect_all_s": round(first_connect_s, 1),
        "broker_restart_s": round(restart_s, 2),
        "all_back_s": round(back[-1], 1) if back else None,
        "back_p50_s": round(statistics.median(back), 1) if back else None,
        "back_p95_s": round(back[int(0.95 * (len(back) - 1))], 1) if back else None,
        "not_back": not_back,
        "busiest_second": max(per_second.values()) if per_second else 0,
        "worst_connect_s": round(max(r["worst_connect_ms"] for r in reports) / 1000, 2),
        "failed_attempts": sum(r["failed_attempts"] for r in reports),
        "listen_overflows": overflows,
        "broker_cpu_s": round(broker_cpu, 1),
        "broker_rss_mb": round(rss),
        "broker_hwm_mb": round(hwm),
        "readings_sent": sent,
        "readings_arrived": len(subscriber.seen),
        "readings_missing": sent - len(subscriber.seen),
        "duplicates": subscriber.received - len(subscriber.seen),
        "unacked_at_end": sum(r["pending"] for r in reports),
        "max_connections": connections,
        "shipped_limit_nofile": open_files,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=20_000)
    parser.add_argument("--period", type=float, default=60.0, help="seconds between readings")
    parser.add_argument(
        "--modes", default="fixed,backoff", help="baseline first: fixed, narrow, backoff"
    )
    parser.add_argument("--spread", type=float, default=RECONNECT_SPREAD_S, help="first window, s")
    parser.add_argument("--ramp", type=float, default=RAMP_PER_S, help="first connects a second")
    args = parser.parse_args()
    _, hard = open_files_limit()
    stations = args.stations
    fits = hard - SPARE_FDS
    note = None
    if stations > fits:
        note = (
            f"open-files hard limit {hard} < the {broker_limits(args.stations)[1]} the shipped"
            f" unit sets for {args.stations} stations: ran {fits}"
        )
        print(note, flush=True)
        stations = fits
    workdir = Path(tempfile.mkdtemp(prefix="kyusui-storm-"))
    try:
        node_modules = install_mqtt_js(workdir)
        runs = []
        shape = Shape(args.period, args.ramp, args.spread)
        for mode in args.modes.split(","):
            result = storm(workdir, node_modules, stations, mode, shape)
            print(json.dumps(result), flush=True)
            runs.append(result)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    summary: dict[str, Any] = {
        "stations_asked": args.stations,
        "stations": stations,
        "open_files_hard_limit": hard,
        "limit_note": note,
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "runs": {r["reconnect"]: r for r in runs},
    }
    by_mode = summary["runs"]
    base = runs[0]["reconnect"] if runs else ""
    for mode, run in by_mode.items():  # each rule against the first, the baseline
        if mode == base:
            continue
        for key in ("all_back_s", "worst_connect_s", "listen_overflows", "busiest_second"):
            if by_mode[base][key] and run[key] is not None:
                summary[f"{key}_{mode}_vs_{base}"] = round(run[key] / by_mode[base][key], 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
