"""What the ingest benchmarks share: the stream, its publishers, Kyusui's workers as
processes, and counting what landed (``bench/ingest.py``, ``bench/peer.py``).

The stream: STATIONS × PER_STATION one-reading telemetry messages (``BENCH_STATIONS``,
``BENCH_PER_STATION``), each station's published by a ``mosquitto_pub`` of its own, QoS 1,
as fast as it can. A consumer's rate counts only readings that landed in the store
(polled with InfluxQL or SQL), from the first publish.
"""

import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from bench.procstat import cpu_counters, cpu_s, sched
from devnet.influx import InfluxDB
from devnet.mosquitto import Mosquitto
from devnet.ports import free_port

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


# The counts are polled many times a second while a consumer works: one kept-alive
# connection, not a new client (and its TLS context) per question, which cost the polling
# process a third of a core.
_poller = httpx.Client(timeout=30)


def _query(influx: InfluxDB, q: str, db: str) -> dict[str, Any]:
    answer = _poller.post(f"{influx.url}/query", params={"q": q, "epoch": "ms", "db": db})
    return cast(dict[str, Any], answer.json())


def landed(influx: InfluxDB, db: str) -> int:
    answer = _query(influx, "SELECT count(quality) FROM reading", db)
    series = answer["results"][0].get("series")
    return int(series[0]["values"][0][1]) if series else 0


def landed_sqlite(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM readings").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet


def landed_since(influx: InfluxDB, db: str, since_ms: int) -> int:
    q = f"SELECT count(quality) FROM reading WHERE time >= {since_ms}ms"
    series = _query(influx, q, db)["results"][0].get("series")
    return int(series[0]["values"][0][1]) if series else 0


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
    metrics: bool = False  # each worker serves /metrics, for ``handled()``
    metrics_ports: list[int] = field(default_factory=list)
    # At the last start: when the first worker logged its connection (perf_counter), the
    # machine's CPU counters then, and each worker's CPU seconds when it connected.
    connected_at: float = 0.0
    machine_at_connect: tuple[int, int] = (0, 0)
    cpu_at_connect: dict[int, float] = field(default_factory=dict)
    sched_at_connect: dict[int, dict[int, tuple[float, float]]] = field(default_factory=dict)

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
        self.metrics_ports = [free_port() for _ in logs] if self.metrics else []
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "server.ingest"],
                env=self.env()
                | {
                    "KYUSUI_SERVER_INGEST_WORKER_INDEX": str(n),
                    "KYUSUI_SERVER_INGEST_CLIENT_ID": f"{self.name}-{n}",
                    "KYUSUI_SERVER_INGEST_METRICS_PORT": str(
                        self.metrics_ports[n] if self.metrics else 0
                    ),
                },
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            for n, log in enumerate(logs)
        ]
        self.procs += procs
        self.cpu_at_connect = {}
        deadline = time.monotonic() + 30
        while len(self.cpu_at_connect) < len(procs):
            for proc, log in zip(procs, logs, strict=True):
                if proc.pid not in self.cpu_at_connect and "connected" in log.read_text():
                    if not self.cpu_at_connect:
                        self.connected_at = time.perf_counter()
                        self.machine_at_connect = cpu_counters()
                    self.cpu_at_connect[proc.pid] = cpu_s(proc.pid)
                    self.sched_at_connect[proc.pid] = sched(proc.pid)
            if time.monotonic() > deadline:
                raise RuntimeError(f"ingest did not connect; see {self.workdir}")
            time.sleep(0.01)
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

    def handled(self) -> list[tuple[int, float]]:
        """Per running worker (its ``/metrics``): the telemetry messages it stored, and the
        mean seconds its time-series writes took per batch."""
        found = []
        for port in self.metrics_ports:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                text = r.read().decode()
            values = {
                name: float(value)
                for name, value in re.findall(r"^(kyusui_ingest_\S+) (\S+)$", text, re.M)
            }
            batches = values.get("kyusui_ingest_write_seconds_count", 0.0)
            found.append(
                (
                    int(values.get('kyusui_ingest_messages_total{kind="telemetry"}', 0.0)),
                    values.get("kyusui_ingest_write_seconds_sum", 0.0) / max(1.0, batches),
                )
            )
        return found

    def stop(self, forget: bool = True) -> None:
        """Stop the workers (SIGTERM); ``forget``: end their persistent sessions too."""
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            self.usage.add(p)
        if forget and self.session_expiry_s and self.procs:
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


def settled_at(
    stored: Callable[[], int], last: Callable[[], int] | None = None, quiet_s: float = 15.0
) -> tuple[int, float]:
    """The stored count once it is whole or has not grown for ``quiet_s`` (on a busy machine
    a restarted consumer can take seconds before its backlog arrives), and when it last
    grew (``perf_counter``). ``last`` as in ``until_stored``: while not every station's last
    reading is there, the whole count is asked only once a second."""
    count, grew_at, asked = -1, time.perf_counter(), 0.0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if last is None or last() >= STATIONS or time.perf_counter() - asked >= 1.0:
            n = stored()
            asked = time.perf_counter()
            if n > TOTAL:
                raise RuntimeError("more readings than sent: something was doubled")
            if n == TOTAL:
                return n, asked
            if n != count:
                count, grew_at = n, asked
            elif asked - grew_at > quiet_s:
                break
        time.sleep(0.05 if last is not None else 0.2)
    return count, grew_at
