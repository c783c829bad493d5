"""Kyusui ingest against the pipeline a ward's IT staff would otherwise wire up: Node-RED.

Node-RED and ``node-red-contrib-influxdb`` are installed from npm into a temporary directory
(not this repository's package.json) and run a batched flow (``bench/node_red.py``): ``mqtt
in`` (QoS 1, a fixed client id, a persistent session) → a function turning one telemetry
message into InfluxDB points with the fields Kyusui writes → ``join`` (500 messages or 50
ms) → ``influxdb batch``. Against the same private Mosquitto, the same stream
(``bench/rig.py``'s: STATIONS × PER_STATION one-reading telemetry messages, QoS 1, 20 ×
5,000 here unless set) and the same InfluxDB, each consumer alone on a fresh database:

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
left out), per 1,000 messages; RSS its peak over its life (``wait4``). Beside it, what the
broker and InfluxDB used per 1,000 messages meanwhile, and ``machine_busy``, the share of
both cores busy with anything (other people's work included): near 1.0, every consumer
gets what the others leave. The last line is one
JSON object. A benchmark, not a test: CI does not run it. Needs npm and about a minute for
the install; ``BENCH_NODE_RED_DIR`` reuses an install. ``--sqlite`` runs only rounds 1, 2
and 5 (raw delivery, the flow, the SQLite worker).
"""

import argparse
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("BENCH_PER_STATION", "5000")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.node_red import SESSION_EXPIRY_S, NodeRed, install_node_red  # noqa: E402
from bench.procstat import busy_since, cpu_counters, cpu_s  # noqa: E402
from bench.rig import (  # noqa: E402
    PER_STATION,
    SERVER,
    STATIONS,
    TOTAL,
    Kyusui,
    publish,
    raw_rate,
    settled_at,
    stream_files,
    until_stored,
)
from devnet.influx import InfluxDB  # noqa: E402
from devnet.mosquitto import Mosquitto  # noqa: E402
from devnet.ports import free_port  # noqa: E402


@dataclass
class Result:
    msgs_per_s: float
    cpu_s_per_1000: float
    peak_rss_mb: float
    # Where the machine's two cores went meanwhile: the broker's and InfluxDB's CPU per
    # 1,000 messages, and the share of both cores busy with anything (others' work too).
    broker_cpu_s_per_1000: float = 0.0
    influxdb_cpu_s_per_1000: float = 0.0
    machine_busy: float = 0.0


def measured(
    consumer: "NodeRed | Kyusui", broker: Mosquitto, influx: InfluxDB, files: dict[str, Path]
) -> Result:
    consumer.init()
    consumer.start()
    services = [p.pid for p in (broker.process, influx.process) if p is not None]
    try:
        before, around, machine = (
            cpu_s(*consumer.pids()),
            [cpu_s(p) for p in services],
            cpu_counters(),
        )
        rate = until_stored(consumer.stored, publish(broker, files), consumer.last_of(files))
        used = cpu_s(*consumer.pids()) - before
        around = [cpu_s(p) - was for p, was in zip(services, around, strict=True)]
        share = busy_since(machine)
    finally:
        consumer.stop()
    broker_cpu, influx_cpu = (round(cpu / TOTAL * 1000, 4) for cpu in around)
    return Result(
        rate,
        used / TOTAL * 1000,
        consumer.usage.peak_rss_mb,
        broker_cpu_s_per_1000=broker_cpu,
        influxdb_cpu_s_per_1000=influx_cpu,
        machine_busy=share,
    )


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
        return TOTAL - settled_at(consumer.stored)[0]
    finally:
        publishing.join()
        consumer.stop()


def _figures(raw: float, r: Result) -> dict[str, float]:
    return {
        "msgs_per_s": round(r.msgs_per_s),
        "x_raw": round(r.msgs_per_s / raw, 2),
        "cpu_s_per_1000": round(r.cpu_s_per_1000, 3),
        "peak_rss_mb": round(r.peak_rss_mb),
        "broker_cpu_s_per_1000": r.broker_cpu_s_per_1000,
        "influxdb_cpu_s_per_1000": r.influxdb_cpu_s_per_1000,
        "machine_busy": round(r.machine_busy, 2),
    }


def _sqlite_figures(raw: float, flow_: Result, sqlite_: Result) -> dict[str, object]:
    return {
        "messages": TOTAL,
        "raw_msgs_per_s": round(raw),
        "node_red": _figures(raw, flow_),
        "kyusui_sqlite": _figures(raw, sqlite_),
        "ratio_sqlite": round(sqlite_.msgs_per_s / flow_.msgs_per_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Kyusui ingest against a Node-RED flow.")
    parser.add_argument(
        "--sqlite", action="store_true", help="only raw delivery, the flow and the SQLite worker"
    )
    only_sqlite = parser.parse_args().sqlite
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
        flow_ = measured(NodeRed(script, broker, influx, workdir), broker, influx, files)
        print(f"Node-RED, batched flow:       {flow_}", flush=True)
        if only_sqlite:
            sqlite_ = measured(Kyusui(broker, workdir, backend="sqlite"), broker, influx, files)
            print(f"Kyusui ingest, SQLite:        {sqlite_}", flush=True)
            print(json.dumps(_sqlite_figures(raw, flow_, sqlite_)))
            return
        influx_ = measured(Kyusui(broker, workdir, influx=influx), broker, influx, files)
        print(f"Kyusui ingest, InfluxDB v1:   {influx_}", flush=True)
        two_ = measured(Kyusui(broker, workdir, influx=influx, workers=2), broker, influx, files)
        print(f"Kyusui ingest, 2 workers:     {two_}", flush=True)
        sqlite_ = measured(Kyusui(broker, workdir, backend="sqlite"), broker, influx, files)
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

        print(
            json.dumps(
                {
                    "messages": TOTAL,
                    "raw_msgs_per_s": round(raw),
                    "node_red": _figures(raw, flow_) | {"lost_on_kill9": flow_lost},
                    "kyusui_influxdb": _figures(raw, influx_) | {"lost_on_kill9": kyusui_lost},
                    "kyusui_sqlite": _figures(raw, sqlite_),
                    "kyusui_influxdb_2workers": _figures(raw, two_),
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
