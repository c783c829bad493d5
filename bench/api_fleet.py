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

from contract.messages import Reading, StationState, Status  # noqa: E402
from devnet.influx import InfluxDB  # noqa: E402
from devnet.ports import free_port, wait_for_port  # noqa: E402
from devnet.postgres import PostgresCluster  # noqa: E402
from server.api.fleet import merge  # noqa: E402
from server.api.fleet_table import FleetFilter  # noqa: E402
from server.api.stations import STATIONS_JSON, fleet_answer, held_back  # noqa: E402
from server.ingest.latest import BatchLatest  # noqa: E402
from server.registry import latest as latest_registry  # noqa: E402
from server.registry.db import Registry, now_ms  # noqa: E402
from server.registry.latest import LatestUpdate, NewestReading  # noqa: E402
from server.registry.models import EnrolmentState as Enrolment  # noqa: E402
from server.registry.models import Station  # noqa: E402
from server.registry.stations import list_stations  # noqa: E402
from server.settings import ServerSettings, TimeSeriesBackend  # noqa: E402
from server.store.base import StationReadings, TimeSeriesStore  # noqa: E402
from server.store.factory import open_store  # noqa: E402
from server.store.influx import InfluxTimeSeries  # noqa: E402
from server.store.influx_init import init_influx  # noqa: E402
from server.store.influx_write import line  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_FLEET_SIZES", "1000,5000,20000").split(",")]
REQUESTS = int(os.environ.get("BENCH_FLEET_REQUESTS", "40"))
AREAS = 18
HISTORY_STATIONS = 3
HISTORY_DAYS = 30
TOKEN = "bench-token-0123456789"
BATCH = 1000


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]


def rounded(samples: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(samples), 1), "p95": round(p95(samples), 1)}


def sid(i: int) -> str:
    return f"st-{i:05d}"


def reading(ts: int, i: int) -> Reading:
    wbgt = 20.0 + (i % 120) / 10
    return Reading.model_validate(
        {"ts": ts, "temp_c": wbgt + 5, "rh": 60.0, "wbgt": wbgt, "level": "warning"}
    )


def populate(settings: ServerSettings, stations: int) -> None:
    """Enrol the stations, then report once each as ingest stores it."""
    now = now_ms()
    registry = Registry(settings.registry_sqlalchemy_url)
    store = open_store(settings)
    try:
        with registry.session() as session:
            session.add_all(
                Station(
                    id=sid(i),
                    state=Enrolment.ACTIVE.value,
                    name_ja=f"給水所 {i}",
                    area_id=f"a{i % AREAS:02d}",
                    latitude=35.4 + (i % 100) / 1000,
                    longitude=139.6 + (i // 100 % 100) / 1000,
                    created_at=now,
                )
                for i in range(stations)
            )
        for first in range(0, stations, BATCH):
            batch = BatchLatest(300_000)
            items = []
            statuses = []
            for i in range(first, min(stations, first + BATCH)):
                status = Status(state=StationState.ONLINE, session=1, ts=now - 60_000)
                statuses.append(sid(i))
                batch.status(sid(i), status, now - 60_000)
                item = StationReadings(
                    sid(i), [reading(now - 5_000, i)], f"a{i % AREAS:02d}", 1, 1, now
                )
                items.append(item)
                batch.reading(item)
            store.write_batch(items)
            record_statuses(store, statuses, now - 60_000)
            batch.store(registry)
    finally:
        store.close()
        registry.close()


class Reporting:
    """The fleet reporting as it does in service: every second a sixtieth of the stations
    (one reading a minute each) gets a new reading in station_latest, one batch upsert, as
    ingest writes it. Keeps every station online and the change feed busy."""

    def __init__(self, settings: ServerSettings, stations: int) -> None:
        self.settings = settings
        self.stations = stations
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Reporting":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(30)

    def _run(self) -> None:
        registry = Registry(self.settings.registry_sqlalchemy_url, run_migrations=False)
        share, tick = max(1, self.stations // 60), 0
        try:
            while not self.stop.wait(1.0):
                now, tick = now_ms(), tick + 1
                first = (tick * share) % self.stations
                batch = BatchLatest(300_000)
                for i in range(first, min(self.stations, first + share)):
                    item = StationReadings(sid(i), [reading(now, i + tick)], None, 1, 1 + tick, now)
                    batch.reading(item)
                batch.store(registry)
        finally:
            registry.close()


def record_statuses(store: TimeSeriesStore, stations: list[str], at_ms: int) -> None:
    """Each station's online status, as ingest records it (InfluxDB: one write for all)."""
    status = Status(state=StationState.ONLINE, session=1, ts=at_ms)
    if isinstance(store, InfluxTimeSeries):
        fields = {"online": 1.0, "session": 1.0}
        store.writer.write([line("status", {"station": s}, fields, at_ms) for s in stations])
        return
    for station in stations:
        store.record_status(station, status, at_ms)


def load_history(settings: ServerSettings) -> None:
    """30 days of one-minute readings for the history stations, then ingest's rollups."""
    now = now_ms()
    store = open_store(settings)
    try:
        for s in range(HISTORY_STATIONS):
            start = now - HISTORY_DAYS * 86_400_000
            for chunk in range(start, now, 86_400_000):
                readings = [
                    reading(ts, ts // 60_000)
                    for ts in range(chunk, min(now, chunk + 86_400_000), 60_000)
                ]
                store.write_batch([StationReadings(sid(s), readings)])
        store.maintain()  # what ingest does every minute
        while _dirty(store):
            store.maintain()
    finally:
        store.close()


def _dirty(store: TimeSeriesStore) -> bool:
    db = getattr(store, "_db", None)  # SQLite: hours left to roll up
    if db is None:
        return False
    return bool(
        db.execute(
            "SELECT count(*) FROM rollup_dirty WHERE hour < ?", (now_ms() - 3_600_000,)
        ).fetchone()[0]
    )


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


def memory_mb(pid: int) -> float:
    for entry in Path(f"/proc/{pid}/status").read_text().splitlines():
        if entry.startswith("VmHWM:"):
            return round(int(entry.split()[1]) / 1024, 1)
    return 0.0


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
        result["api_uncached_vmhwm_mb"] = memory_mb(pid)
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
        result["api_vmhwm_mb"] = memory_mb(pid)
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
