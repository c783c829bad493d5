"""The fleet view and history at city scale: 1,000, 5,000 and 20,000 stations.

For each size, on SQLite (registry and time series) and on InfluxDB + PostgreSQL, the
bench enrols the stations (18 areas), gives each a recent reading and status the way ingest
does (time series, and ``station_latest`` in one upsert per batch of 1,000), starts
``python -m server.api`` twice (with its default 2 s cache, and with the cache off) and
times sequential HTTP requests:

- ``full``: the whole fleet as served (cache on: kept up to date in the background) and
  with the cache off (each request brings the kept fleet up to date from its change feed);
  and, in process, rendered from scratch from every row (an API process's first answer);
- ``area``: one area's stations (cut from the kept fleet), cache off and as served;
- ``compact``: the console's compact view, with the cache off;
- ``revalidate``: ``If-None-Match`` with the ETag of the previous answer (304);
- ``change``: one station's new reading upserted into ``station_latest`` → seen by a
  client polling ``?since=`` every 250 ms (the console's look is 4 a second);
- the API's resident memory (VmHWM) after all of it.

While the API is measured the fleet reports as in service: every second a sixtieth of the
stations gets a new reading in ``station_latest`` (``Reporting``).

The baseline is the fleet view as it was before ``station_latest``, measured in the same
run: every registry row and every station's latest state from the time series, merged
into per-station models (``server.api.fleet.merge``). History: 30 days of one-minute
readings for a few stations, p95 of 1, 7 and 30 days with the bucket chosen by the range
(``every=auto``), against 30 days at 10 minutes (4,320 buckets) as the baseline.

Usage: python bench/api.py --fleet   (BENCH_FLEET_SIZES="1000,5000,20000",
BENCH_FLEET_REQUESTS=40). The last line is one JSON object. Everything runs on this
machine: clients, API, databases share its cores (and other work on it shows in the figures).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fleet_data import (  # noqa: E402
    HISTORY_STATIONS,
    Reporting,
    load_history,
    populate,
    sid,
)
from bench.fleet_ingest import ingest_memory, upsert_cost  # noqa: E402
from bench.procstat import status_mb  # noqa: E402
from contract.messages import Reading  # noqa: E402
from devnet.influx import InfluxDB  # noqa: E402
from devnet.ports import free_port, wait_for_port  # noqa: E402
from devnet.postgres import PostgresCluster  # noqa: E402
from server.api.fleet import merge  # noqa: E402
from server.api.fleet_table import FleetFilter  # noqa: E402
from server.api.stations import STATIONS_JSON, fleet_answer, held_back  # noqa: E402
from server.registry import latest as latest_registry  # noqa: E402
from server.registry.db import Registry, now_ms  # noqa: E402
from server.registry.latest import LatestUpdate, NewestReading  # noqa: E402
from server.registry.stations import list_stations  # noqa: E402
from server.settings import ServerSettings, TimeSeriesBackend  # noqa: E402
from server.store.factory import open_store  # noqa: E402
from server.store.influx_init import init_influx  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_FLEET_SIZES", "1000,5000,20000").split(",")]
REQUESTS = int(os.environ.get("BENCH_FLEET_REQUESTS", "40"))
TOKEN = "bench-token-0123456789"


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]


def rounded(samples: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(samples), 1), "p95": round(p95(samples), 1)}


def baseline(settings: ServerSettings, repeats: int) -> list[float]:
    """The fleet view as it was computed before station_latest (in process)."""
    registry = Registry(settings.registry_sqlalchemy_url, run_migrations=False)
    store = open_store(settings)
    samples = []
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            with registry.session() as session:
                states, now = store.fleet(), now_ms()
                out = merge(
                    list_stations(session),
                    states,
                    now,
                    settings.offline_after_s,
                    False,
                    held_back(store, states, now, settings.offline_after_s),
                )
                STATIONS_JSON.dump_json(out)
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        store.close()
        registry.close()
    return samples


def from_scratch(settings: ServerSettings, repeats: int) -> list[float]:
    """The whole fleet rendered from every row of station_latest (in process): what the
    first answer of an API process costs, and each filtered view per row."""
    registry = Registry(settings.registry_sqlalchemy_url, run_migrations=False)
    samples = []
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            fleet_answer(registry, settings, None, FleetFilter())
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        registry.close()
    return samples


@contextmanager
def api(env: dict[str, str], log: Path, cache_s: float) -> Iterator[tuple[httpx.Client, int]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "server.api"],
        env=env
        | {"KYUSUI_SERVER_API_PORT": str(port), "KYUSUI_SERVER_API_FLEET_CACHE_S": str(cache_s)},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, timeout_s=60)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        ) as client:
            yield client, process.pid
    finally:
        process.terminate()
        process.wait(15)


def timed(
    client: httpx.Client,
    path: str,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    answer = client.get(path, params=params, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code not in (200, 304):
        answer.raise_for_status()
    return elapsed, answer


def change_latency(client: httpx.Client, settings: ServerSettings, station: int) -> float:
    """One station's new reading upserted (as ingest's batch does) → seen by a poller."""
    cursor = int(
        client.get("/api/v1/stations", params={"view": "compact", "limit": 1}).json()["cursor"]
    )
    registry = Registry(settings.registry_sqlalchemy_url, run_migrations=False)
    seen = threading.Event()
    committed: list[float] = []
    arrived: list[float] = []

    def poll() -> None:
        nonlocal cursor
        while not seen.is_set():
            answer = client.get(
                "/api/v1/stations", params={"view": "compact", "since": cursor}
            ).json()
            cursor = answer["cursor"]
            wbgt = answer["fields"].index("wbgt")
            if any(r[0] == sid(station) and r[wbgt] == 33.3 for r in answer["rows"]):
                arrived.append(time.perf_counter())
                seen.set()
                return
            time.sleep(0.25)

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.3)
    new = Reading.model_validate(
        {"ts": now_ms(), "temp_c": 38.0, "rh": 60.0, "wbgt": 33.3, "level": "danger"}
    )
    with registry.session() as session:
        update = LatestUpdate(
            sid(station), now_ms(), reading=NewestReading(1, 1000 + station, 0, new)
        )
        latest_registry.record(session, [update], now_ms())
    committed.append(time.perf_counter())
    poller.join(30)
    registry.close()
    seen.set()
    return (arrived[0] - committed[0]) * 1000 if arrived else float("inf")


def one_setup(
    name: str, settings: ServerSettings, env: dict[str, str], workdir: Path, stations: int
) -> dict[str, Any]:
    started = time.perf_counter()
    populate(settings, stations)
    print(f"{name} {stations}: populated in {time.perf_counter() - started:.1f} s", flush=True)
    result: dict[str, Any] = {}
    repeats = 3 if stations >= 20_000 else 5
    result["baseline_full_ms"] = rounded(baseline(settings, repeats))
    result["full_from_scratch_ms"] = rounded(from_scratch(settings, repeats))
    with (
        Reporting(settings, stations),
        api(env, workdir / f"api-{name}-{stations}-nocache.log", 0) as (client, pid),
    ):
        client.get("/api/v1/stations").raise_for_status()
        full = [
            timed(client, "/api/v1/stations")[0]
            for _ in range(max(5, REQUESTS // (4 if stations >= 20_000 else 1)))
        ]
        area = [timed(client, "/api/v1/stations", {"area": "a07"})[0] for _ in range(REQUESTS)]
        compact = [
            timed(client, "/api/v1/stations", {"view": "compact"})[0]
            for _ in range(max(5, REQUESTS // 4))
        ]
        size = len(client.get("/api/v1/stations").content)
        compact_size = len(client.get("/api/v1/stations", params={"view": "compact"}).content)
        result |= {
            "full_cache_off_ms": rounded(full),
            "area_ms": rounded(area),
            "compact_cache_off_ms": rounded(compact),
        }
        result |= {"full_mb": round(size / 1e6, 2), "compact_mb": round(compact_size / 1e6, 2)}
        result["api_uncached_vmhwm_mb"] = round(status_mb(pid, "VmHWM"), 1)
    with (
        Reporting(settings, stations),
        api(env, workdir / f"api-{name}-{stations}-cache.log", 2.0) as (client, pid),
    ):
        _, first = timed(client, "/api/v1/stations")
        etag = first.headers["etag"]
        served = [timed(client, "/api/v1/stations")[0] for _ in range(REQUESTS)]
        area_served = [
            timed(client, "/api/v1/stations", {"area": "a07"})[0] for _ in range(REQUESTS)
        ]
        revalidate = []
        for _ in range(REQUESTS):
            elapsed, answer = timed(client, "/api/v1/stations", headers={"If-None-Match": etag})
            etag = answer.headers["etag"]  # a 200 when the cache's refresh changed a flag
            revalidate.append(elapsed)
        changes = [change_latency(client, settings, s) for s in (1, 2, 3)]
        result |= {"full_served_ms": rounded(served), "area_served_ms": rounded(area_served)}
        result["revalidate_304_ms"] = rounded(revalidate)
        result["change_to_client_ms"] = rounded(changes)
        result["api_vmhwm_mb"] = round(status_mb(pid, "VmHWM"), 1)
    for key in ("full_cache_off_ms", "full_from_scratch_ms", "full_served_ms"):
        ratio = result["baseline_full_ms"]["p95"] / max(result[key]["p95"], 0.1)
        result[f"vs_baseline_{key[:-3]}"] = round(ratio, 1)
    print(f"{name} {stations}: {json.dumps(result)}", flush=True)
    return result


def history(
    name: str, settings: ServerSettings, env: dict[str, str], workdir: Path
) -> dict[str, Any]:
    started = time.perf_counter()
    load_history(settings)
    print(f"{name}: history loaded in {time.perf_counter() - started:.1f} s", flush=True)
    now = now_ms()

    def iso(ms: int) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ms / 1000))

    out: dict[str, Any] = {}
    with api(env, workdir / f"api-{name}-history.log", 2.0) as (client, _):
        for days in (1, 7, 30):
            params = {"start": iso(now - days * 86_400_000), "end": iso(now)}
            n = len(client.get(f"/api/v1/stations/{sid(0)}/history", params=params).json())
            samples = [
                timed(client, f"/api/v1/stations/{sid(i % HISTORY_STATIONS)}/history", params)[0]
                for i in range(REQUESTS)
            ]
            out[f"history_{days}d_ms"] = rounded(samples) | {"buckets": n}
        params = {"start": iso(now - 30 * 86_400_000), "end": iso(now), "every": "10m"}
        samples = [
            timed(client, f"/api/v1/stations/{sid(i % HISTORY_STATIONS)}/history", params)[0]
            for i in range(REQUESTS)
        ]
        out["baseline_history_30d_10m_ms"] = rounded(samples)
    out["vs_baseline_history_30d"] = round(
        out["baseline_history_30d_10m_ms"]["p95"] / out["history_30d_ms"]["p95"], 1
    )
    print(f"{name}: {json.dumps(out)}", flush=True)
    return out


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="fleetbench-"))
    influx = InfluxDB(workdir / "influx").start()
    postgres = PostgresCluster(Path(tempfile.mkdtemp(prefix="fleetbench-pg-"))).start()
    results: dict[str, Any] = {"load_note": "shared 2-core machine, other work running"}
    base_env = os.environ | {
        "KYUSUI_SERVER_CONFIG": str(workdir / "absent.toml"),
        "KYUSUI_SERVER_BOOTSTRAP_TOKEN": TOKEN,
        "KYUSUI_SERVER_ALERT_CHECK_INTERVAL_S": "3600",
    }
    try:
        for stations in SIZES:
            sqlite_dir = workdir / f"sqlite-{stations}"
            sqlite = ServerSettings(
                registry_path=sqlite_dir / "registry.sqlite",
                timeseries_path=sqlite_dir / "ts.sqlite",
            )
            env = base_env | {
                "KYUSUI_SERVER_REGISTRY_PATH": str(sqlite.registry_path),
                "KYUSUI_SERVER_TIMESERIES_PATH": str(sqlite.timeseries_path),
            }
            results[f"sqlite_{stations}"] = one_setup("sqlite", sqlite, env, workdir, stations)
            if stations == SIZES[-1]:
                results["sqlite_history"] = history("sqlite", sqlite, env, workdir)
            db = f"fleet{stations}"
            engine = create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {db}"))
            engine.dispose()
            influx_pg = ServerSettings(
                timeseries_backend=TimeSeriesBackend.INFLUXDB_V1,
                influx_url=influx.url,
                influx_database=db,
                registry_url=postgres.url(db),
                influx_timeout_s=120,
            )
            init_influx(influx_pg)
            env = base_env | {
                "KYUSUI_SERVER_TIMESERIES_BACKEND": "influxdb-v1",
                "KYUSUI_SERVER_INFLUX_URL": influx.url,
                "KYUSUI_SERVER_INFLUX_DATABASE": db,
                "KYUSUI_SERVER_REGISTRY_URL": postgres.url(db),
            }
            results[f"influx_pg_{stations}"] = one_setup(
                "influx+pg", influx_pg, env, workdir, stations
            )
            if stations == SIZES[-1]:
                results["influx_history"] = history("influx+pg", influx_pg, env, workdir)
        results["ingest_handler_vmhwm_mb"] = ingest_memory(SIZES[-1])
        results["ingest_upsert"] = upsert_cost()
    finally:
        postgres.stop()
        influx.stop()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
