"""API latency against InfluxDB: the fleet view of 1,000 stations and a 7-day history.

Loads 7 days of readings (every 10 minutes for 1,000 stations, every minute for the
stations whose history is asked), enrols the stations in a SQLite registry, starts
``python -m server.api`` on InfluxDB (v1 mode) and times sequential HTTP requests.
The baseline is the same store calls made directly in the same run. The fleet view is
measured as served (one computation per 2 s per API process, see docs/server.md) and
without that cache.
The last line is one JSON object.

``python bench/api.py --fleet`` instead measures the fleet view and history at city scale
(1,000 to 20,000 stations, SQLite and InfluxDB + PostgreSQL): see bench/api_fleet.py.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devnet.influx import InfluxDB  # noqa: E402
from devnet.ports import free_port, wait_for_port  # noqa: E402
from server.registry.db import Registry  # noqa: E402
from server.registry.models import EnrolmentState, Station  # noqa: E402
from server.settings import ServerSettings, TimeSeriesBackend  # noqa: E402
from server.store.influx import InfluxTimeSeries  # noqa: E402
from server.store.influx_init import init_influx  # noqa: E402

STATIONS = int(os.environ.get("BENCH_STATIONS", "1000"))
HISTORY_STATIONS = 10
DAYS = 7
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
TOKEN = "bench-token-0123456789"


def load(settings: ServerSettings, now_ms: int) -> int:
    store = InfluxTimeSeries(settings)
    start = now_ms - DAYS * 86_400_000
    written = 0
    lines: list[str] = []

    def flush() -> None:
        nonlocal written
        store.writer.write(lines)
        written += len(lines)
        lines.clear()

    for s in range(STATIONS):
        station = f"st-{s:04d}"
        step = 60_000 if s < HISTORY_STATIONS else 600_000
        for ts in range(start, now_ms, step):
            wbgt = 22.0 + 8.0 * ((ts // 3_600_000) % 24) / 24
            lines.append(
                f"reading,area=a{s % 18},station={station} quality=0.0,time_source=0.0,"
                f"temp_c={wbgt + 5:.1f},rh=60.0,wbgt={wbgt:.1f},level=2.0 {ts}"
            )
            if len(lines) >= 20_000:
                flush()
        lines.append(f"status,station={station} online=1.0,session=1.0 {now_ms - 5000}")
    flush()
    # Loaded around ingest: bring the history stations' 10-minute rollup up to date the
    # way ingest does after an outbox replay.
    store.rollup.mark_all({f"st-{s:04d}": start for s in range(HISTORY_STATIONS)})
    store.rollup.refresh()
    store.close()
    return written


def timed(client: httpx.Client, path: str, **params: str) -> float:
    started = time.perf_counter()
    answer = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    answer.raise_for_status()
    return elapsed


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def fleet_without_cache(env: dict[str, str], workdir: Path, requests: int) -> list[float]:
    port = free_port()
    uncached = env | {"KYUSUI_SERVER_API_PORT": str(port), "KYUSUI_SERVER_API_FLEET_CACHE_S": "0"}
    api = subprocess.Popen(
        [sys.executable, "-m", "server.api"],
        env=uncached,
        stdout=(workdir / "api-uncached.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, timeout_s=30)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30,
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as client:
            client.get("/api/v1/stations").raise_for_status()
            return [timed(client, "/api/v1/stations") for _ in range(requests)]
    finally:
        api.terminate()
        api.wait(15)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="kyusui-bench-api-"))
    influx = InfluxDB(workdir / "influx").start()
    try:
        run(influx, workdir)
    finally:
        influx.stop()


def run(influx: InfluxDB, workdir: Path) -> None:
    settings = ServerSettings(
        timeseries_backend=TimeSeriesBackend.INFLUXDB_V1,
        influx_url=influx.url,
        influx_database="bench",
        registry_path=workdir / "registry.sqlite",
        influx_timeout_s=120,  # the rollup of 7 days of the history stations
    )
    init_influx(settings)
    now_ms = time.time_ns() // 1_000_000
    started = time.perf_counter()
    points = load(settings, now_ms)
    print(f"loaded {points:,} points (and their rollup) in {time.perf_counter() - started:.1f} s")
    registry = Registry(settings.registry_sqlalchemy_url)
    with registry.session() as session:
        for s in range(STATIONS):
            session.add(
                Station(
                    id=f"st-{s:04d}",
                    state=EnrolmentState.ACTIVE.value,
                    name_ja=f"給水所 {s}",
                    area_id=f"a{s % 18}",
                    created_at=now_ms,
                )
            )
    registry.close()
    port = free_port()
    env = os.environ | {
        "KYUSUI_SERVER_CONFIG": str(workdir / "absent.toml"),
        "KYUSUI_SERVER_TIMESERIES_BACKEND": "influxdb-v1",
        "KYUSUI_SERVER_INFLUX_URL": influx.url,
        "KYUSUI_SERVER_INFLUX_DATABASE": "bench",
        "KYUSUI_SERVER_REGISTRY_PATH": str(workdir / "registry.sqlite"),
        "KYUSUI_SERVER_API_PORT": str(port),
        "KYUSUI_SERVER_BOOTSTRAP_TOKEN": TOKEN,
    }
    api = subprocess.Popen(
        [sys.executable, "-m", "server.api"],
        env=env,
        stdout=(workdir / "api.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, timeout_s=30)
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        fleet = client.get("/api/v1/stations").json()
        assert len(fleet) == STATIONS, len(fleet)
        assert all(s["latest"] is not None for s in fleet)
        history_params = {"every": "10m", "start": "", "end": ""}
        end = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now_ms / 1000))
        begin = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now_ms / 1000 - DAYS * 86400))
        history_params |= {"start": begin, "end": end}
        buckets = client.get("/api/v1/stations/st-0000/history", params=history_params).json()
        assert len(buckets) >= DAYS * 144 - 1, len(buckets)
        rng = random.Random(1)
        fleet_ms = [timed(client, "/api/v1/stations") for _ in range(REQUESTS)]
        history_ms = [
            timed(
                client,
                f"/api/v1/stations/st-{rng.randrange(HISTORY_STATIONS):04d}/history",
                **history_params,
            )
            for _ in range(REQUESTS)
        ]
        # The same fleet view without the API's 2-second cache (a second API process).
        uncached_fleet_ms = fleet_without_cache(env, workdir, REQUESTS // 5)
        raw = InfluxTimeSeries(settings)
        raw_fleet = []
        raw_history = []
        for _ in range(REQUESTS // 4):
            t = time.perf_counter()
            raw.fleet()
            raw_fleet.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            raw.aggregate("st-0001", now_ms - DAYS * 86_400_000, now_ms, 600)
            raw_history.append((time.perf_counter() - t) * 1000)
        raw.close()
        client.close()
    finally:
        api.terminate()
        api.wait(15)
    print(
        f"fleet ({STATIONS} stations) over HTTP: p50 {statistics.median(fleet_ms):.1f} ms,"
        f" p95 {p95(fleet_ms):.1f} ms; store alone p95 {p95(raw_fleet):.1f} ms"
        f" ({p95(fleet_ms) / p95(raw_fleet):.2f} ×)"
    )
    print(
        f"fleet without the 2 s cache over HTTP: p50 {statistics.median(uncached_fleet_ms):.1f}"
        f" ms, p95 {p95(uncached_fleet_ms):.1f} ms"
        f" ({p95(uncached_fleet_ms) / p95(raw_fleet):.2f} × the store alone)"
    )
    print(
        f"history (7 days, 10 min) over HTTP: p50 {statistics.median(history_ms):.1f} ms,"
        f" p95 {p95(history_ms):.1f} ms; store alone p95 {p95(raw_history):.1f} ms"
        f" ({p95(history_ms) / p95(raw_history):.2f} ×)"
    )
    print(
        json.dumps(
            {
                "fleet_p95_ms": round(p95(fleet_ms), 1),
                "history_p95_ms": round(p95(history_ms), 1),
                "fleet_uncached_p95_ms": round(p95(uncached_fleet_ms), 1),
            }
        )
    )


if __name__ == "__main__":
    if "--fleet" in sys.argv[1:]:
        from bench.api_fleet import main as fleet_main

        fleet_main()
    else:
        main()
