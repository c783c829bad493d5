"""What the ingest benchmarks share: the stream, its publishers, Kyusui's workers as
processes, and counting what landed (``bench/ingest.py``, ``bench/peer.py``).

A drain round (``drain``, ``raw_drain``) takes the publishers out of the contest: the
consumers' persistent sessions join the share group, go offline, the whole stream is
published into the broker, and only then do the consumers connect and take the backlog.

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
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

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


def cpu_s(pids: list[int]) -> float:
    """User + system seconds the running processes ``pids`` have used so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def cpu_counters() -> tuple[int, int]:
    """The machine's CPU counters now: (busy, total) jiffies over all cores."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(fields[:8])
    return total - fields[3] - fields[4], total  # less idle and iowait


def sched(pid: int) -> dict[int, tuple[float, float]]:
    """Per thread of ``pid``: seconds it ran on a core and seconds it was runnable but
    waiting for one (``/proc/<pid>/task/<tid>/schedstat``), so far. The rest of a thread's
    wall time it was blocked: on a socket, a lock, a disk."""
    times = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ran, waited = task.joinpath("schedstat").read_text().split()[:2]
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended meanwhile
        times[int(task.name)] = (int(ran) / 1e9, int(waited) / 1e9)
    return times


def sched_shares(
    before: dict[int, tuple[float, float]], pid: int, wall_s: float, top: int = 2
) -> list[tuple[float, float]]:
    """The ``top`` busiest threads of ``pid`` since ``sched`` gave ``before``: the share of
    ``wall_s`` each ran, and the share it waited for a core."""
    now = sched(pid)
    spent = [
        (ran - before.get(tid, (0.0, 0.0))[0], waited - before.get(tid, (0.0, 0.0))[1])
        for tid, (ran, waited) in now.items()
    ]
    spent.sort(reverse=True)
    return [(round(ran / wall_s, 2), round(waited / wall_s, 2)) for ran, waited in spent[:top]]


def busy_since(before: tuple[int, int]) -> float:
    """The share of all cores busy since ``cpu_counters()`` gave ``before``."""
    now = cpu_counters()
    return (now[0] - before[0]) / max(1, now[1] - before[1])


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


def join_group(broker: Mosquitto, client_id: str, topic: str, expiry_s: int = 3600) -> None:
    """Leave a persistent session ``client_id`` subscribed to ``topic`` (QoS 1), offline."""
    subscribed = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.username_pw_set(SERVER, broker.accounts[SERVER])
    client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
    client.on_subscribe = lambda *_: subscribed.set()
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = expiry_s
    client.connect("127.0.0.1", broker.port or 0, clean_start=True, properties=props)
    client.loop_start()
    try:
        if not subscribed.wait(10):
            raise RuntimeError(f"{client_id} could not subscribe to {topic}")
    finally:
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
                    self.cpu_at_connect[proc.pid] = cpu_s([proc.pid])
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


@dataclass
class Drained:
    """A backlog round: the rate from the first connection until the last message stored
    (or until the store stopped growing, then ``lost`` > 0), what each consumer took, and
    CPU per 1,000 messages: each worker's (of what it took), the broker's and InfluxDB's
    (of the stream), and the share of both cores busy meanwhile (others' work too)."""

    msgs_per_s: float
    lost: int
    taken: list[int]
    worker_cpu_s_per_1000: list[float] = field(default_factory=list)
    broker_cpu_s_per_1000: float = 0.0
    influxdb_cpu_s_per_1000: float = 0.0
    machine_busy: float = 0.0
    # Per worker, its two busiest threads (the network thread reading and decoding, the
    # store thread writing), then the broker's one: (share of the drain on a core, share
    # runnable but waiting for a core). What is left of 1.0 the thread was blocked.
    worker_threads: list[list[tuple[float, float]]] = field(default_factory=list)
    broker_thread: tuple[float, float] = (0.0, 0.0)
    poller_cpu_s_per_1000: float = 0.0  # this process: starting the workers, counting
    write_ms_per_batch: list[float] = field(default_factory=list)  # each worker's, mean

    def cores(self) -> tuple[float, float]:
        """Cores the round's own processes used on average (workers, broker, InfluxDB, this
        process), and what the rest of the machine's busy cores went to (others' work)."""
        # (a raw round measures no consumer's CPU: there, the broker's and this process's)
        workers = sum(c * n for c, n in zip(self.worker_cpu_s_per_1000, self.taken, strict=False))
        per_1000 = (
            workers / TOTAL
            + self.broker_cpu_s_per_1000
            + self.influxdb_cpu_s_per_1000
            + self.poller_cpu_s_per_1000
        )
        ours = self.msgs_per_s * per_1000 / 1000
        return ours, self.machine_busy * (os.cpu_count() or 1) - ours

    def figures(self) -> dict[str, object]:
        ours, others = self.cores()
        return {
            "msgs_per_s": round(self.msgs_per_s),
            "lost": self.lost,
            "taken": self.taken,
            "worker_cpu_s_per_1000": [round(c, 3) for c in self.worker_cpu_s_per_1000],
            "broker_cpu_s_per_1000": round(self.broker_cpu_s_per_1000, 4),
            "influxdb_cpu_s_per_1000": round(self.influxdb_cpu_s_per_1000, 4),
            "machine_busy": round(self.machine_busy, 2),
            "worker_threads_on_core_runq": self.worker_threads,
            "broker_thread_on_core_runq": self.broker_thread,
            "poller_cpu_s_per_1000": round(self.poller_cpu_s_per_1000, 4),
            "write_ms_per_batch": [round(ms, 1) for ms in self.write_ms_per_batch],
            "cores_ours": round(ours, 2),
            "cores_others": round(others, 2),
        }


def drain(kyusui: Kyusui, files: dict[str, Path], services: list[int]) -> Drained:
    """``kyusui``'s workers (it needs ``session_expiry_s`` and ``metrics``) connect once, so
    their sessions join its share group, and stop; the whole stream is published while no
    worker runs; then they start again and store the backlog. ``services``: the broker's
    and InfluxDB's pids."""
    assert kyusui.session_expiry_s
    assert kyusui.metrics
    kyusui.init()
    kyusui.start()
    kyusui.stop(forget=False)
    publish(kyusui.broker, files)
    around = [cpu_s([pid]) for pid in services]
    broker_pid = services[0]
    broker_sched, own = sched(broker_pid), time.process_time()
    kyusui.start()
    try:
        n, done_at = settled_at(kyusui.stored, kyusui.last_of(files))
        wall = done_at - kyusui.connected_at
        threads = [sched_shares(kyusui.sched_at_connect[pid], pid, wall) for pid in kyusui.pids()]
        broker_thread = sched_shares(broker_sched, broker_pid, wall, 1)[0]
        used = {pid: cpu_s([pid]) - cpu for pid, cpu in kyusui.cpu_at_connect.items()}
        own = time.process_time() - own
        around = [cpu_s([pid]) - was for pid, was in zip(services, around, strict=True)]
        share = busy_since(kyusui.machine_at_connect)
        handled, pids = kyusui.handled(), kyusui.pids()
    finally:
        kyusui.stop()
    taken = [n for n, _ in handled]
    per_1000 = [used[pid] / max(1, t) * 1000 for pid, t in zip(pids, taken, strict=True)]
    broker_cpu, influx_cpu = (cpu / TOTAL * 1000 for cpu in around)
    return Drained(
        n / wall,
        TOTAL - n,
        taken,
        per_1000,
        broker_cpu,
        influx_cpu,
        share,
        threads,
        broker_thread,
        own / TOTAL * 1000,
        [write_s * 1000 for _, write_s in handled],
    )


def raw_drain(broker: Mosquitto, files: dict[str, Path], members: int) -> Drained:
    """The same backlog for ``members`` plain ``mosquitto_sub`` sessions of one share group
    (``-C`` its share of a round robin each): the broker's own delivery ceiling."""
    group = f"raw_{secrets.token_hex(3)}"
    topic = f"$share/{group}/kyusui/v1/st/+/telemetry"
    ids = [f"{group}-{n}" for n in range(members)]
    for client_id in ids:
        join_group(broker, client_id, topic)
    publish(broker, files)
    outs = [next(iter(files.values())).parent / f"{client_id}.out" for client_id in ids]
    around, machine = cpu_s([broker.process.pid]) if broker.process else 0.0, cpu_counters()
    started = time.perf_counter()
    subs = [
        subprocess.Popen(
            [
                *("mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-u", SERVER),
                *("-P", broker.accounts[SERVER], "-V", "mqttv5", "-c", "-x", "3600", "-i", cid),
                *("-q", "1", "-t", topic, "-F", "m", "-C", str(TOTAL // members)),
            ],
            stdout=out.open("wb"),
        )
        for cid, out in zip(ids, outs, strict=True)
    ]
    for sub in subs:
        try:
            sub.wait(60)
        except subprocess.TimeoutExpired:
            sub.kill()  # fewer than its share came: counted below
            sub.wait()
    elapsed = time.perf_counter() - started
    broker_cpu = (cpu_s([broker.process.pid]) if broker.process else 0.0) - around
    share = busy_since(machine)
    taken = [out.read_bytes().count(b"\n") for out in outs]
    for client_id in ids:
        forget_session(broker, client_id)
    return Drained(
        sum(taken) / elapsed,
        TOTAL - sum(taken),
        taken,
        broker_cpu_s_per_1000=broker_cpu / TOTAL * 1000,
        machine_busy=share,
    )
