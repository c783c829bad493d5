"""How many stations, one telemetry message a second each, ingest keeps up with.

For each set-up — one worker on SQLite, one worker on InfluxDB, two workers on InfluxDB
— the station count grows step by step (STEPS). At each step simulated stations publish
for STEP_S seconds, each once a second at its own moment, through the real Mosquitto to
real ``python -m server.ingest`` workers with their default settings (stored
confirmations on). Every half second the bench reads the newest stored reading's time;
lag = now − that time. A step is kept up with when the 95th percentile of the lag over its
second half is under 1 s and every reading sent is stored within 2 s of the end. The
search stops at the first step that is not kept up with. Before it, every station reports
once and the bench waits until all are stored: a worker registers a station the first time
it hears from it (a registry write each), a cost paid once, not per reading.

Usage: python bench/scale.py   (BENCH_SCALE_STEPS="500,1000,2000", BENCH_SCALE_STEP_S=8)
The last line is one JSON object: the largest station count kept up with per set-up.
Everything runs on this machine: publishers, broker, workers and store share its cores.
"""

import json
import multiprocessing
import os
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rig import SERVER, Kyusui  # noqa: E402
from devnet.influx import InfluxDB  # noqa: E402
from devnet.mosquitto import Mosquitto  # noqa: E402
from devnet.ports import free_port  # noqa: E402

STEPS = [
    int(n)
    for n in os.environ.get("BENCH_SCALE_STEPS", "250,500,1000,1500,2000,2500,3000").split(",")
]
STEP_S = float(os.environ.get("BENCH_SCALE_STEP_S", "8"))
PUBLISHERS = 2  # processes simulating the stations
LAG_LIMIT_S = 1.0


def publish(
    port: int, password: str, first: int, count: int, start_at: float, seconds: float
) -> None:
    """Stations ``first`` … ``first + count − 1``, each once a second, spread evenly."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(SERVER, password)  # the server account may publish for anyone
    client.max_inflight_messages_set(1000)
    client.connect("127.0.0.1", port)
    client.loop_start()
    total = int(count * seconds)
    for i in range(total):
        due = start_at + i / count
        wait = due - time.time()
        if wait > 0.001:
            time.sleep(wait)
        station, seq = first + i % count, i // count + 1
        reading = {
            "ts": int(time.time() * 1000),
            "temp_c": 30.0,
            "rh": 60.0,
            "wbgt": 26.5,
            "level": "warning",
        }
        payload = json.dumps({"v": 1, "session": 1, "seq": seq, "readings": [reading]})
        last = client.publish(f"kyusui/v1/st/bench-{station:05d}/telemetry", payload, qos=1)
    if total:
        last.wait_for_publish(30)  # QoS 1 in order: the last PUBACK means all were taken
    client.disconnect()
    client.loop_stop()


class Store:
    """The newest stored reading's time and the count, read straight from the store."""

    def __init__(self, newest: Callable[[], int], count: Callable[[], int]) -> None:
        self.newest = newest
        self.count = count


def sqlite_store(path: Path) -> Store:
    def query(sql: str) -> int:
        try:
            conn = sqlite3.connect(path, timeout=5)
            try:
                return int(conn.execute(sql).fetchone()[0] or 0)
            finally:
                conn.close()
        except sqlite3.OperationalError:
            return 0  # not created yet

    return Store(
        lambda: query("SELECT max(ts) FROM readings"),
        lambda: query("SELECT count(*) FROM readings"),
    )


def influx_store(influx: InfluxDB, db: str) -> Store:
    def query(q: str) -> int:
        series = influx.query(q, db).json()["results"][0].get("series")
        return int(series[0]["values"][0][0 if "last" in q else 1]) if series else 0

    return Store(
        lambda: query("SELECT last(temp_c) FROM reading"),
        lambda: query("SELECT count(quality) FROM reading"),
    )


def step(broker: Mosquitto, store: Store, stations: int, already: int) -> dict[str, float]:
    start_at = time.time() + 1.0
    share = stations // PUBLISHERS
    procs = [
        multiprocessing.Process(
            target=publish,
            args=(broker.port, broker.accounts[SERVER], p * share, share, start_at, STEP_S),
        )
        for p in range(PUBLISHERS)
    ]
    for p in procs:
        p.start()
    lags: list[float] = []
    end = start_at + STEP_S
    while time.time() < end:
        time.sleep(0.5)
        now = time.time()
        if now > start_at + STEP_S / 2:
            lags.append(max(0.0, now - store.newest() / 1000))
    for p in procs:
        p.join(60)
    sent = share * PUBLISHERS * int(STEP_S)
    deadline = time.time() + 2.0
    while store.count() < already + sent and time.time() < deadline:
        time.sleep(0.1)
    behind = already + sent - store.count()
    lags.sort()
    p95 = lags[int(0.95 * (len(lags) - 1))] if lags else float("inf")
    return {"p95_lag_s": round(p95, 3), "unstored_after_2s": behind, "sent": sent}


def warm(broker: Mosquitto, store: Store, stations: int) -> None:
    """Every station reports once, within about a second; wait until all are stored."""
    publish(broker.port or 0, broker.accounts[SERVER], 0, stations, time.time(), 1.0)
    deadline = time.monotonic() + 180
    while store.count() < stations:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {store.count()} of {stations} stations registered")
        time.sleep(0.2)


def search(broker: Mosquitto, store: Store, kyusui: Kyusui, label: str) -> int:
    kept = 0
    try:
        try:
            warm(broker, store, max(STEPS))
        except RuntimeError as exc:
            print(f"{label}: {exc}", flush=True)
            return 0
        for stations in STEPS:
            result = step(broker, store, stations, store.count())
            ok = result["p95_lag_s"] < LAG_LIMIT_S and result["unstored_after_2s"] <= 0
            print(
                f"{label}: {stations} stations → {result} {'kept up' if ok else 'BEHIND'}",
                flush=True,
            )
            if not ok:
                break
            kept = stations
            time.sleep(2.0)  # let the broker drain before the next step
    finally:
        kyusui.stop()
    return kept


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="kyusui-scale-"))
    broker = Mosquitto(
        workdir / "broker", accounts={SERVER: secrets.token_urlsafe(8)}, port=free_port()
    ).start()
    influx = InfluxDB(workdir / "influx").start()
    results: dict[str, int] = {}
    try:
        on_sqlite = Kyusui(broker, workdir, "sqlite", name="sqlite1")
        on_sqlite.start(1)
        results["stations_1worker_sqlite"] = search(
            broker, sqlite_store(on_sqlite.sqlite_path), on_sqlite, "1 worker, SQLite"
        )
        for workers in (1, 2):
            db = f"scale{workers}_{secrets.token_hex(3)}"
            on_influx = Kyusui(broker, workdir, "influxdb-v1", influx, name=db)
            on_influx.init()
            on_influx.start(workers)
            key = f"stations_{workers}worker{'s' if workers > 1 else ''}_influxdb"
            results[key] = search(
                broker, influx_store(influx, db), on_influx, f"{workers} worker(s), InfluxDB"
            )
    finally:
        influx.stop()
        broker.stop()
    print(json.dumps(results | {"step_s": STEP_S, "lag_limit_s": LAG_LIMIT_S}))


if __name__ == "__main__":
    main()
