"""The city-scale fleet of ``bench/api_fleet.py``: stations enrolled and reporting the way
ingest records them, and 30 days of history for a few of them."""

import threading

from contract.messages import Reading, StationState, Status
from server.ingest.latest import BatchLatest
from server.registry.db import Registry, now_ms
from server.registry.models import EnrolmentState as Enrolment
from server.registry.models import Station
from server.settings import ServerSettings
from server.store.base import StationReadings, TimeSeriesStore
from server.store.factory import open_store
from server.store.influx import InfluxTimeSeries
from server.store.influx_write import line

AREAS = 18
HISTORY_STATIONS = 3
HISTORY_DAYS = 30
BATCH = 1000  # stations per ingest batch


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
