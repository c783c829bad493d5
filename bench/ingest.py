"""Ingest throughput: simulated stations → Mosquitto → ingest worker(s) → InfluxDB.

The same stream (STATIONS × PER_STATION telemetry messages, QoS 1, published as fast as
``mosquitto_pub`` can) is delivered five times in one run:
  1. to a plain ``mosquitto_sub`` (the broker's raw delivery rate, the baseline),
  2. to a bare paho-mqtt v5 subscriber that does nothing with what it gets (the client
     library's own ceiling on this machine),
  3. to one ingest worker (``python -m server.ingest``) writing to InfluxDB, without the
     stored confirmations (``ingest_confirm_stored = false``),
  4. the same with them (the default: one ``…/stored`` per station per batch),
  5. to two ingest workers sharing the subscription, with confirmations.
A worker's rate counts only readings that landed in InfluxDB (polled with InfluxQL).
The last line is one JSON object; ratio = one worker (confirming) / raw, paho_ratio = the
same over the bare paho rate. It also gives the cost of decoding one of the stream's messages
with the contract's strict decoder, which the worker uses, next to pydantic's lax JSON parsing,
which ingest used before (and which coerced wrong types).
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workers import SERVER, start_ingest_workers, stop_workers  # noqa: E402
from contract.codec import decode  # noqa: E402
from contract.messages import Telemetry  # noqa: E402
from devnet.influx import InfluxDB  # noqa: E402
from devnet.mosquitto import Mosquitto  # noqa: E402
from devnet.ports import free_port  # noqa: E402

STATIONS = int(os.environ.get("BENCH_STATIONS", "20"))
PER_STATION = int(os.environ.get("BENCH_PER_STATION", "1000"))
TOTAL = STATIONS * PER_STATION


def stream_files(workdir: Path, base_ms: int) -> dict[str, Path]:
    files = {}
    for s in range(STATIONS):
        station = f"bench-{s:03d}"
        lines = []
        for i in range(PER_STATION):
            reading = {
                "ts": base_ms + i * 1000,
                "temp_c": 30.0 + (i % 50) / 10,
                "rh": 60.0,
                "wbgt": 26.5,
                "level": "warning",
                "quality": "ok",
                "time": "synced",
            }
            lines.append(json.dumps({"v": 1, "session": 1, "seq": i, "readings": [reading]}))
        path = workdir / f"{station}.jsonl"
        path.write_text("\n".join(lines) + "\n")
        files[station] = path
    return files


def publish(broker: Mosquitto, files: dict[str, Path]) -> float:
    """Start every station's publisher; returns the start time."""
    started = time.perf_counter()
    procs = []
    for station, path in files.items():
        with path.open("rb") as stdin:
            procs.append(
                subprocess.Popen(
                    [
                        "mosquitto_pub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        str(broker.port),
                        "-u",
                        station,
                        "-P",
                        broker.accounts[station],
                        "-q",
                        "1",
                        "-l",
                        "-t",
                        f"kyusui/v1/st/{station}/telemetry",
                    ],
                    stdin=stdin,
                )
            )
    for p in procs:
        if p.wait(300) != 0:
            raise RuntimeError("mosquitto_pub failed")
    return started


def raw_rate(broker: Mosquitto, files: dict[str, Path]) -> float:
    sub = subprocess.Popen(
        [
            "mosquitto_sub",
            "-h",
            "127.0.0.1",
            "-p",
            str(broker.port),
            "-u",
            SERVER,
            "-P",
            broker.accounts[SERVER],
            "-q",
            "1",
            "-C",
            str(TOTAL),
            "-V",
            "mqttv5",
            "-t",
            "kyusui/v1/st/+/telemetry",
        ],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)  # subscribed by then
    started = publish(broker, files)
    sub.wait(300)
    return TOTAL / (time.perf_counter() - started)


def paho_rate(broker: Mosquitto, files: dict[str, Path]) -> float:
    """A paho v5 QoS 1 subscriber that only counts (auto-acknowledged by the library)."""
    received = 0
    done = threading.Event()

    def on_message(client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        nonlocal received
        received += 1
        if received >= TOTAL:
            done.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(SERVER, broker.accounts[SERVER])
    client.on_message = on_message
    client.connect("127.0.0.1", broker.port or 0)
    client.subscribe("kyusui/v1/st/+/telemetry", qos=1)
    client.loop_start()
    try:
        time.sleep(0.5)  # subscribed by then
        started = publish(broker, files)
        if not done.wait(300):
            raise RuntimeError(f"paho received only {received} of {TOTAL}")
        return TOTAL / (time.perf_counter() - started)
    finally:
        client.disconnect()
        client.loop_stop()


def landed(influx: InfluxDB, db: str) -> int:
    answer = influx.query("SELECT count(quality) FROM reading", db).json()
    series = answer["results"][0].get("series")
    return int(series[0]["values"][0][1]) if series else 0


def worker_rate(
    broker: Mosquitto,
    influx: InfluxDB,
    files: dict[str, Path],
    workers: int,
    workdir: Path,
    confirm: bool = True,
) -> float:
    db = f"bench_{workers}_{secrets.token_hex(3)}"
    procs = start_ingest_workers(
        broker,
        workdir,
        db,
        workers,
        {
            "KYUSUI_SERVER_TIMESERIES_BACKEND": "influxdb-v1",
            "KYUSUI_SERVER_INFLUX_URL": influx.url,
            "KYUSUI_SERVER_INFLUX_DATABASE": db,
            "KYUSUI_SERVER_INGEST_CONFIRM_STORED": "true" if confirm else "false",
        },
    )
    try:
        started = publish(broker, files)
        deadline = time.monotonic() + 300
        while landed(influx, db) < TOTAL:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {landed(influx, db)} of {TOTAL} readings landed")
            time.sleep(0.05)
        rate = TOTAL / (time.perf_counter() - started)
        if landed(influx, db) != TOTAL:
            raise RuntimeError("more readings than sent: something was doubled")
        return rate
    finally:
        stop_workers(procs)


def decode_us(files: dict[str, Path]) -> dict[str, float]:
    """Microseconds to decode one message: the strict decoder and the lax parse it replaced."""
    message = next(iter(files.values())).read_bytes().splitlines()[0]
    n = 20_000
    strict = timeit.timeit(lambda: decode(Telemetry, message), number=n) / n * 1e6
    lax = timeit.timeit(lambda: Telemetry.model_validate_json(message), number=n) / n * 1e6
    return {"decode_us_strict": round(strict, 2), "decode_us_lax": round(lax, 2)}


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="kyusui-bench-"))
    stations = {f"bench-{s:03d}": secrets.token_urlsafe(8) for s in range(STATIONS)}
    broker = Mosquitto(
        workdir / "broker",
        accounts={SERVER: secrets.token_urlsafe(8)} | stations,
        station_areas=dict.fromkeys(stations, "bench"),
        port=free_port(),
    ).start()
    influx = InfluxDB(workdir / "influx").start()
    try:
        files = stream_files(workdir, int(time.time() * 1000) - PER_STATION * 1000)
        print(f"stream: {STATIONS} stations × {PER_STATION} messages = {TOTAL} (QoS 1)")
        costs = decode_us(files)
        print(
            f"decoding one message: {costs['decode_us_strict']} µs strict (lax parse: "
            f"{costs['decode_us_lax']} µs)"
        )
        raw = raw_rate(broker, files)
        print(f"mosquitto_sub (raw delivery):   {raw:,.0f} msg/s")
        bare = paho_rate(broker, files)
        print(f"bare paho subscriber:           {bare:,.0f} msg/s  ({bare / raw:.2f} × raw)")
        plain = worker_rate(broker, influx, files, 1, workdir, confirm=False)
        print(f"1 worker, no confirmations:     {plain:,.0f} msg/s  ({plain / raw:.2f} × raw)")
        one = worker_rate(broker, influx, files, 1, workdir)
        print(f"1 worker, stored confirmations: {one:,.0f} msg/s  ({one / raw:.2f} × raw)")
        two = worker_rate(broker, influx, files, 2, workdir)
        print(f"2 workers, confirmations:       {two:,.0f} msg/s  ({two / raw:.2f} × raw)")
        print(
            json.dumps(
                {
                    "msgs_per_s_1worker": round(one),
                    "msgs_per_s_1worker_unconfirmed": round(plain),
                    "msgs_per_s_2workers": round(two),
                    "paho_bare_msgs_per_s": round(bare),
                    "broker_raw_msgs_per_s": round(raw),
                    "ratio": round(one / raw, 3),
                    "paho_ratio": round(one / bare, 3),
                }
                | costs
            )
        )
    finally:
        influx.stop()
        broker.stop()
        httpx.Client().close()


if __name__ == "__main__":
    main()
