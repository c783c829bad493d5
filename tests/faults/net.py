"""A real station network for the fault suite: Mosquitto, ingest workers, the store and
simulated stations reading fast, each a process the suite may kill, stop or cut off.

At the end it counts, per station, what the station produced (its ledger) against what
the store holds and what is still waiting in the station's outbox.
"""

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from devnet.agent import simulated_agent_env
from devnet.influx import InfluxDB
from devnet.mosquitto import Mosquitto
from server.settings import ServerSettings, TimeSeriesBackend
from server.store.influx_init import init_influx
from tests.faults.counts import Counts, count
from tests.faults.station import LEDGER_ENV, STEP_ENV

ROOT = Path(__file__).resolve().parents[2]
SERVER_USER = "kyusui-server"
AREA = "naka"
SESSION_BITS = 32  # sent_order = session * 2**32 + seq (server/store/influx_write.py)


@dataclass
class FaultNet:
    workdir: Path
    stations: tuple[str, ...] = ("st-fault-01", "st-fault-02", "st-fault-03")
    workers: int = 2
    reading_interval_s: float = 0.2
    influx: InfluxDB | None = None  # None: the SQLite store
    ingest_env: dict[str, str] = field(default_factory=dict)
    broker_addresses: list[str] = field(default_factory=list)
    station_settings: dict[str, dict[str, str]] = field(default_factory=dict)  # extra env
    namespaces: dict[str, str] = field(default_factory=dict)  # station → network namespace
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: list[IO[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.passwords = {SERVER_USER: secrets.token_urlsafe(12)} | {
            s: secrets.token_urlsafe(12) for s in self.stations
        }
        self.broker = Mosquitto(
            self.workdir / "broker",
            accounts=dict(self.passwords),
            station_areas=dict.fromkeys(self.stations, AREA),
            server_user=SERVER_USER,
            extra_addresses=self.broker_addresses,
        )
        self.database = f"faults_{secrets.token_hex(4)}"
        self.state_dirs = {s: self.workdir / "stations" / s for s in self.stations}

    # --- processes ----------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        log = (self.workdir / "logs" / f"{name}.log").open("ab")
        self._logs.append(log)
        # faulthandler: a process that will not stop is asked for its stacks (SIGABRT).
        environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1", **env}
        self.processes[name] = subprocess.Popen(
            argv, env=environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )

    def log(self, name: str) -> str:
        path = self.workdir / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self, name: str) -> None:
        """SIGKILL: a crash, nothing flushed."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def stop(self, name: str) -> None:
        """SIGTERM, as systemd stops a service."""
        process = self.processes.pop(name)
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # its threads' stacks go to its log
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            stacks = self.log(name)[-6000:]
            raise AssertionError(f"{name} did not stop within 20 s on SIGTERM:\n{stacks}") from None

    def signal(self, name: str, signum: signal.Signals) -> None:
        self.processes[name].send_signal(signum)

    # --- the server ---------------------------------------------------------------------
    def server_settings(self) -> dict[str, str]:
        env = {
            "KYUSUI_SERVER_CONFIG": str(self.workdir / "absent.toml"),
            "KYUSUI_SERVER_BROKER_PORT": str(self.broker.port),
            "KYUSUI_SERVER_BROKER_USERNAME": SERVER_USER,
            "KYUSUI_SERVER_BROKER_PASSWORD": self.passwords[SERVER_USER],
            "KYUSUI_SERVER_TIMESERIES_PATH": str(self.timeseries_path),
            "KYUSUI_SERVER_REGISTRY_PATH": str(self.workdir / "registry.sqlite"),
            "KYUSUI_SERVER_INGEST_RETRY_S": "1",
        }
        if self.influx is not None:
            env |= {
                "KYUSUI_SERVER_TIMESERIES_BACKEND": TimeSeriesBackend.INFLUXDB_V1.value,
                "KYUSUI_SERVER_INFLUX_URL": self.influx.url,
                "KYUSUI_SERVER_INFLUX_DATABASE": self.database,
                "KYUSUI_SERVER_INFLUX_TIMEOUT_S": "3",
            }
        return env | self.ingest_env

    @property
    def timeseries_path(self) -> Path:
        return self.workdir / "timeseries.sqlite"

    def start_worker(self, index: int) -> None:
        name = f"ingest-{index}"
        before = self.log(name).count("(session present")
        env = {"KYUSUI_SERVER_INGEST_WORKER_INDEX": str(index)} | self.server_settings()
        self._spawn(name, [sys.executable, "-m", "server.ingest"], env)
        deadline = time.monotonic() + 30
        while self.log(name).count("(session present") == before:
            assert self.processes[name].poll() is None, f"{name} died:\n{self.log(name)}"
            assert time.monotonic() < deadline, f"{name} did not connect:\n{self.log(name)}"
            time.sleep(0.05)
        time.sleep(0.3)  # its subscription follows the connection

    # --- stations -----------------------------------------------------------------------
    def station_env(self, station: str, **settings: str) -> dict[str, str]:
        assert self.broker.port is not None
        state_dir = self.state_dirs[station]
        state_dir.mkdir(parents=True, exist_ok=True)
        env = simulated_agent_env(
            station,
            AREA,
            self.broker.port,
            self.passwords[station],
            state_dir,
            config_file=self.workdir / "absent.toml",
            simulation_failure_rate="0",
            sensor_min_gap_s="0",
            reading_interval_s=str(self.reading_interval_s),
            health_interval_s="5",
            # Unconfirmed messages go again after 3 s instead of 30 s: the same recovery,
            # within a scenario of tens of seconds.
            unconfirmed_resend_s="3",
            **settings,
        )
        return env | {LEDGER_ENV: str(self.ledger_path(station)), STEP_ENV: "0"}

    def ledger_path(self, station: str) -> Path:
        return self.workdir / "ledgers" / f"{station}.txt"

    def start_station(
        self, station: str, netns: str | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.ledger_path(station).parent.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "tests.faults.station"]
        netns = netns or self.namespaces.get(station)
        if netns is not None:
            argv = ["ip", "netns", "exec", netns, *argv]
        extra = self.station_settings.get(station, {}) | (env or {})
        self._spawn(station, argv, self.station_env(station) | extra)

    def start(self) -> "FaultNet":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.broker.start()
        if self.influx is not None:
            init_influx(ServerSettings.model_validate(self._influx_values()))
        for i in range(self.workers):
            self.start_worker(i)
        for station in self.stations:
            self.start_station(station)
        for station in self.stations:
            self.wait_measuring(station)
        return self

    def wait_measuring(self, station: str, readings: int = 5, timeout_s: float = 30) -> None:
        """Wait until ``station`` has taken ``readings`` more readings."""
        target = len(self.produced(station)) + readings
        deadline = time.monotonic() + timeout_s
        while len(self.produced(station)) < target:
            process = self.processes.get(station)
            assert process is None or process.poll() is None, f"{station}:\n{self.log(station)}"
            assert time.monotonic() < deadline, f"{station} is not measuring:\n{self.log(station)}"
            time.sleep(0.05)

    def _influx_values(self) -> dict[str, object]:
        assert self.influx is not None
        return {
            "timeseries_backend": TimeSeriesBackend.INFLUXDB_V1,
            "influx_url": self.influx.url,
            "influx_database": self.database,
        }

    def shutdown(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            if process.poll() is None:
                process.kill()
                process.wait()
        self.broker.stop()
        for log in self._logs:
            log.close()

    # --- counting -----------------------------------------------------------------------
    def produced(self, station: str) -> list[int]:
        path = self.ledger_path(station)
        if not path.exists():
            return []
        return [int(line) for line in path.read_text().split()]

    def stored(self, station: str) -> list[tuple[int, tuple[int, ...] | None]]:
        if self.influx is None:
            db = sqlite3.connect(self.timeseries_path, timeout=30)
            try:
                rows = db.execute(
                    "SELECT ts, session, seq, idx FROM readings WHERE station = ?", (station,)
                ).fetchall()
            finally:
                db.close()
            return [(r[0], None if r[1] is None else (r[1], r[2], r[3])) for r in rows]
        answer = httpx.get(
            f"{self.influx.url}/query",
            params={
                "db": self.database,
                "epoch": "ms",
                "q": f"SELECT quality, sent_order FROM raw.reading WHERE station = '{station}'",
            },
            timeout=30,
        ).json()
        series = answer["results"][0].get("series", [])
        values = series[0]["values"] if series else []
        return [(int(v[0]), None if v[2] is None else (int(v[2]),)) for v in values]

    def waiting(self, station: str) -> set[int]:
        """Times still in the station's outbox (read once the station has stopped)."""
        path = self.state_dirs[station] / "agent.sqlite"
        if not path.exists():
            return set()
        db = sqlite3.connect(path, timeout=30)
        try:
            return {r[0] for r in db.execute("SELECT ts FROM outbox")}
        finally:
            db.close()

    def all_stored(self, timeout_s: float = 40.0) -> bool:
        """Wait until the store holds every reading the stations had taken by now."""
        taken = {s: set(self.produced(s)) for s in self.stations}
        deadline = time.monotonic() + timeout_s
        while True:
            missing = sum(len(taken[s] - {ts for ts, _ in self.stored(s)}) for s in self.stations)
            if missing == 0:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)

    def finish(self, report: str) -> dict[str, Counts]:
        """Let the network catch up, stop the stations and count; ``report`` names the
        scenario in the lines printed (pytest -s shows them) and kept in the workdir."""
        self.all_stored()
        running = [s for s in self.stations if s in self.processes]
        for station in running:  # all at once: each may take a moment to flush
            self.processes[station].terminate()
        for station in running:
            self.stop(station)
        time.sleep(1.0)  # the last in-flight messages reach the store
        counts = {
            s: count(self.produced(s), self.stored(s), self.waiting(s)) for s in self.stations
        }
        lines = [c.line(f"{report} / {s}") for s, c in counts.items()]
        print("\n" + "\n".join(lines))
        with (self.workdir.parent / "fault-counts.txt").open("a") as out:
            out.write("\n".join(lines) + "\n")
        return counts
