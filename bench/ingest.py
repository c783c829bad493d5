"""Ingest throughput: simulated stations → Mosquitto → ingest worker(s) → InfluxDB.

The same stream (STATIONS × PER_STATION telemetry messages, QoS 1, published as fast as
``mosquitto_pub`` can) is delivered six times in one run:
  1. to a plain ``mosquitto_sub`` (the broker's raw delivery rate, the baseline),
  2. to a bare paho-mqtt v5 subscriber that does nothing with what it gets (the client
     library's own ceiling on this machine),
  3. to one ingest worker (``python -m server.ingest``) writing to InfluxDB, without the
     stored confirmations (``ingest_confirm_stored = false``),
  4. the same with them (the default: one ``…/stored`` per station per batch),
  5. to two ingest workers sharing the subscription, with confirmations,
  6. to one worker writing to SQLite instead, with confirmations.
A worker's rate counts only readings that landed in the store (polled with InfluxQL or SQL).
The last line is one JSON object; ratio = one worker (confirming) / raw, paho_ratio = the
same over the bare paho rate. It also gives the cost of decoding one of the stream's messages
with the contract's strict decoder, which the worker uses, next to pydantic's lax JSON parsing,
which ingest used before (and which coerced wrong types).
"""

import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contract.codec import decode  # noqa: E402
from contract.messages import Telemetry  # noqa: E402
from devnet.influx import InfluxDB  # noqa: E402
from devnet.mosquitto import Mosquitto  # noqa: E402
from devnet.ports import free_port  # noqa: E402

STATIONS = int(os.environ.get("BENCH_STATIONS", "20"))
PER_STATION = int(os.environ.get("BENCH_PER_STATION", "1000"))
TOTAL = STATIONS * PER_STATION
SERVER = "kyusui-server"


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


def landed_sqlite(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM readings").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet


def cpu_s(pids: list[int]) -> float:
    """User + system seconds the running processes ``pids`` have used so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def forget_session(broker: Mosquitto, client_id: str) -> None:
    """End a persistent session a consumer left, so later runs' messages are not queued
    for it: connect once with its id, a clean start and no expiry."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.username_pw_set(SERVER, broker.accounts[SERVER])
    client.connect("127.0.0.1", broker.port or 0, clean_start=True)
    client.loop_start()
    time.sleep(0.3)
    client.disconnect()
    client.loop_stop()


@dataclass
class Usage:
    """What a consumer process cost, from the kernel's own account (``wait4``)."""

    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        """Reap ``proc`` (already told to stop) and add what it used."""
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped here; keeps Popen from waiting for it again
        self.cpu_s += usage.ru_utime + usage.ru_stime
        self.peak_rss_mb = max(self.peak_rss_mb, usage.ru_maxrss / 1024)


@dataclass
class Kyusui:
    """``python -m server.ingest`` worker(s) on a fresh database of either backend."""

    broker: Mosquitto
    workdir: Path
    backend: str = "influxdb-v1"
    influx: InfluxDB | None = None
    confirm: bool = True
    session_expiry_s: int = 0
    workers: int = 1
    name: str = field(default_factory=lambda: f"bench_{secrets.token_hex(3)}")
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    starts: int = 0

    @property
    def sqlite_path(self) -> Path:
        return self.workdir / f"{self.name}.sqlite"

    def env(self) -> dict[str, str]:
        env = os.environ | {
            "KYUSUI_SERVER_CONFIG": str(self.workdir / "absent.toml"),
            "KYUSUI_SERVER_BROKER_PORT": str(self.broker.port),
            "KYUSUI_SERVER_BROKER_PASSWORD": self.broker.accounts[SERVER],
            "KYUSUI_SERVER_TIMESERIES_BACKEND": self.backend,
            "KYUSUI_SERVER_TIMESERIES_PATH": str(self.sqlite_path),
            "KYUSUI_SERVER_REGISTRY_PATH": str(self.workdir / f"registry-{self.name}.sqlite"),
            "KYUSUI_SERVER_INGEST_GROUP": self.name,
            "KYUSUI_SERVER_INGEST_CONFIRM_STORED": "true" if self.confirm else "false",
            "KYUSUI_SERVER_INGEST_SESSION_EXPIRY_S": str(self.session_expiry_s),
        }
        if self.influx is not None:
            env |= {
                "KYUSUI_SERVER_INFLUX_URL": self.influx.url,
                "KYUSUI_SERVER_INFLUX_DATABASE": self.name,
            }
        return env

    def init(self) -> None:
        if self.backend != "sqlite":
            subprocess.run(
                [sys.executable, "-m", "server.store", "init"],
                env=self.env(),
                check=True,
                capture_output=True,
            )

    def stored(self) -> int:
        if self.backend == "sqlite":
            return landed_sqlite(self.sqlite_path)
        assert self.influx is not None
        return landed(self.influx, self.name)

    def last_of(self, files: dict[str, Path]) -> Callable[[], int] | None:
        """The cheap "every station's last reading is stored" count (InfluxDB only)."""
        if self.influx is None:
            return None
        influx, since = self.influx, last_ts(files)
        return lambda: landed_since(influx, self.name, since)

    def start(self, workers: int | None = None) -> None:
        workers = workers or self.workers
        self.starts += 1
        logs = [self.workdir / f"{self.name}-{n}-{self.starts}.log" for n in range(workers)]
        self.procs += [
            subprocess.Popen(
                [sys.executable, "-m", "server.ingest"],
                env=self.env()
                | {
                    "KYUSUI_SERVER_INGEST_WORKER_INDEX": str(n),
                    "KYUSUI_SERVER_INGEST_CLIENT_ID": f"{self.name}-{n}",
                },
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            for n, log in enumerate(logs)
        ]
        deadline = time.monotonic() + 30
        while not all("connected" in log.read_text() for log in logs):
            if time.monotonic() > deadline:
                raise RuntimeError(f"ingest did not connect; see {self.workdir}")
            time.sleep(0.05)
        time.sleep(0.5)  # subscribed by then

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def kill(self) -> None:
        """SIGKILL every worker, as a crash would."""
        for p in self.procs:
            p.kill()
        for p in self.procs:
            self.usage.add(p)
        self.procs = []

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            self.usage.add(p)
        if self.session_expiry_s and self.procs:
            for n in range(len(self.procs)):
                forget_session(self.broker, f"{self.name}-{n}")
        self.procs = []


def last_ts(files: dict[str, Path]) -> int:
    """The time of every station's last reading of the stream (they share it)."""
    last = next(iter(files.values())).read_bytes().splitlines()[-1]
    return int(json.loads(last)["readings"][0]["ts"])


def until_stored(
    stored: Callable[[], int],
    started: float,
    last: Callable[[], int] | None = None,
    poll_s: float = 0.05,
) -> float:
    """Wait for the whole stream; its rate from ``started``. More than sent is a doubling.

    ``last`` counts the stored readings of the stream's last moment, one per station: a
    cheap question, asked until every station's last reading is there, before the whole
    count. Counting 100,000 points ten times a second keeps InfluxDB busy enough to slow
    a consumer that waits for each write."""
    deadline = time.monotonic() + 300
    while last is not None and last() < STATIONS:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {stored()} of {TOTAL} readings landed")
        time.sleep(poll_s)
    while (n := stored()) < TOTAL:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {n} of {TOTAL} readings landed")
        time.sleep(poll_s)
    rate = TOTAL / (time.perf_counter() - started)
    if stored() != TOTAL:
        raise RuntimeError("more readings than sent: something was doubled")
    return rate


def landed_since(influx: InfluxDB, db: str, since_ms: int) -> int:
    q = f"SELECT count(quality) FROM reading WHERE time >= {since_ms}ms"
    series = influx.query(q, db).json()["results"][0].get("series")
    return int(series[0]["values"][0][1]) if series else 0


def worker_rate(
    broker: Mosquitto,
    influx: InfluxDB | None,
    files: dict[str, Path],
    workers: int,
    workdir: Path,
    confirm: bool = True,
    backend: str = "influxdb-v1",
) -> float:
    kyusui = Kyusui(broker, workdir, backend, influx, confirm)
    kyusui.init()
    kyusui.start(workers)
    try:
        return until_stored(kyusui.stored, publish(broker, files), kyusui.last_of(files))
    finally:
        kyusui.stop()


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
        lite = worker_rate(broker, None, files, 1, workdir, backend="sqlite")
        print(f"1 worker, SQLite:               {lite:,.0f} msg/s  ({lite / raw:.2f} × raw)")
        print(
            json.dumps(
                {
                    "msgs_per_s_1worker": round(one),
                    "msgs_per_s_1worker_unconfirmed": round(plain),
                    "msgs_per_s_2workers": round(two),
                    "msgs_per_s_1worker_sqlite": round(lite),
                    "two_workers_over_one": round(two / one, 2),
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
