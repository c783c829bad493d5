"""What a city-scale fleet costs ingest, for ``bench/api_fleet.py``: the handler's peak
memory after three minutes of a fleet, and what the ``station_latest`` upsert adds to a
500-station batch."""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.fleet_data import sid
from server.ingest.latest import BatchLatest
from server.registry.db import Registry, now_ms

ROOT = Path(__file__).resolve().parent.parent


INGEST_MEMORY = """
import json, sys, time
from pathlib import Path
from server.ingest.handler import Incoming, MessageHandler
from server.registry.db import Registry
from server.store.sqlite import SqliteTimeSeries
stations, workdir = int(sys.argv[1]), Path(sys.argv[2])
handler = MessageHandler(
    SqliteTimeSeries(workdir / "ts.sqlite"), Registry(f"sqlite:///{workdir / 'registry.sqlite'}")
)
now = time.time_ns() // 1_000_000
for minute in range(3):
    batch = []
    for i in range(stations):
        sid = f"st-{i:05d}"
        if minute == 0:
            status = {"v": 1, "state": "online", "session": 1, "ts": now, "area": f"a{i % 18}"}
            batch.append(Incoming(f"kyusui/v1/st/{sid}/status", json.dumps(status).encode(), now))
        reading = {"ts": now + minute * 60_000, "temp_c": 30.0, "rh": 60.0, "wbgt": 26.5,
                   "level": "warning"}
        telemetry = {"v": 1, "session": 1, "seq": minute + 1, "readings": [reading]}
        batch.append(Incoming(f"kyusui/v1/st/{sid}/telemetry", json.dumps(telemetry).encode(), now))
        if len(batch) >= 500:
            handler.handle_batch(batch)
            batch = []
    handler.handle_batch(batch)
for entry in Path("/proc/self/status").read_text().splitlines():
    if entry.startswith("VmHWM:"):
        print(int(entry.split()[1]) / 1024)
"""


def ingest_memory(stations: int) -> float:
    """Peak resident memory of ingest's handler (no MQTT) after three minutes of a fleet."""
    workdir = Path(tempfile.mkdtemp(prefix="fleetbench-ingest-"))
    out = subprocess.run(
        [sys.executable, "-c", INGEST_MEMORY, str(stations), str(workdir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return round(float(out.split()[-1]), 1)


def upsert_cost(rounds: int = 12) -> dict[str, float]:
    """What station_latest adds to ingest: a 500-station batch through the handler (SQLite
    time series and registry, stations already known), with and without its upsert."""
    from server.ingest.handler import Incoming, MessageHandler, Prepared
    from server.store.sqlite import SqliteTimeSeries

    def run(with_latest: bool) -> float:
        workdir = Path(tempfile.mkdtemp(prefix="fleetbench-upsert-"))
        handler = MessageHandler(
            SqliteTimeSeries(workdir / "ts.sqlite"),
            Registry(f"sqlite:///{workdir / 'registry.sqlite'}"),
        )
        if not with_latest:
            prepare = handler.prepare

            def unrecorded(batch: list[Incoming]) -> Prepared:
                prepared = prepare(batch)
                prepared.latest = BatchLatest(300_000)
                prepared.latest.pending = lambda: False  # type: ignore[method-assign]
                prepared.latest.record = lambda session: None  # type: ignore[method-assign]
                return prepared

            handler.prepare = unrecorded  # type: ignore[method-assign]
        now, times = now_ms(), []
        for n in range(rounds):
            batch = []
            for i in range(500):
                r = {"ts": now + n * 60_000 + i, "temp_c": 30.0, "rh": 60.0, "wbgt": 26.5}
                body = {"v": 1, "session": 1, "seq": n + 1, "readings": [r | {"level": "warning"}]}
                topic = f"kyusui/v1/st/{sid(i)}/telemetry"
                batch.append(Incoming(topic, json.dumps(body).encode(), now))
            started = time.perf_counter()
            handler.handle_batch(batch)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times[2:])  # the first rounds register the stations

    without = statistics.median(run(False) for _ in range(3))
    with_latest = statistics.median(run(True) for _ in range(3))
    return {
        "batch500_without_latest_ms": round(without, 1),
        "batch500_with_latest_ms": round(with_latest, 1),
    }
