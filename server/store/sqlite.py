"""The embedded time-series store: one SQLite file in WAL mode.

Readings are keyed by (station, ts), so a replayed outbox overwrites itself. Each keeps the
station's order of its first arrival (session, seq, place in the message): a station's
latest reading is its newest by that order, never by its clock, and a reading dated
further ahead than ``future_tolerance_ms`` is kept but flagged (``future``), not latest.
"""

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from contract.messages import Health, Reading, StationState, Status
from server.store import sqlite_rollup
from server.store.base import (
    FUTURE_TOLERANCE_S,
    Bucket,
    HealthSample,
    LatestState,
    StationReadings,
    StoreUnavailableError,
    health_fields,
)

JST_OFFSET_MS = 9 * 3600 * 1000
WRITE_TIMEOUT_S = 5.0
PROBE_TIMEOUT_MS = 250  # the health check's wait for the write lock
# Columns added after the first release, added to older files on open.
ADDED_COLUMNS = {
    "session": "INTEGER",
    "seq": "INTEGER",
    "idx": "INTEGER",
    "future": "INTEGER NOT NULL DEFAULT 0",
}
ORDER_INDEX = (
    "CREATE INDEX IF NOT EXISTS readings_by_order ON readings (station, future, session, seq, idx)"
)
LATEST_OF = """SELECT ts FROM readings WHERE station = ? AND future = 0
               ORDER BY session DESC, seq DESC, idx DESC, ts DESC LIMIT 1"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS readings (
    station TEXT NOT NULL,
    ts INTEGER NOT NULL,
    temp_c REAL, rh REAL, wbgt REAL, level TEXT,
    quality TEXT NOT NULL, time_source TEXT NOT NULL,
    session INTEGER, seq INTEGER, idx INTEGER, future INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (station, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS station_status (
    station TEXT PRIMARY KEY,
    online INTEGER,
    session INTEGER,
    last_seen INTEGER NOT NULL,
    latest_ts INTEGER
);
CREATE TABLE IF NOT EXISTS station_health (
    station TEXT PRIMARY KEY,
    ts INTEGER NOT NULL,
    fields TEXT NOT NULL
);
"""


class SqliteTimeSeries:
    def __init__(self, path: Path, future_tolerance_s: float = FUTURE_TOLERANCE_S) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            path, timeout=WRITE_TIMEOUT_S, check_same_thread=False, isolation_level=None
        )
        self._lock = threading.Lock()
        self.future_tolerance_ms = int(future_tolerance_s * 1000)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a batch is on the disk before its messages are acknowledged. A station
            # deletes what the server confirmed, so a power cut that rolled back a NORMAL
            # commit would lose those readings everywhere. One fsync per batch of up to 500.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(readings)")}
            for name, kind in ADDED_COLUMNS.items():
                if name not in columns:
                    self._db.execute(f"ALTER TABLE readings ADD COLUMN {name} {kind}")
            self._db.execute(ORDER_INDEX)
            sqlite_rollup.create(self._db)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreUnavailableError(f"SQLite time series: {exc}") from exc
            try:
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._db.execute("ROLLBACK")
                raise StoreUnavailableError(f"SQLite time series: {exc}") from exc
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def write_batch(self, batch: list[StationReadings]) -> None:
        with self._transaction() as db:
            _write(db, batch, self.future_tolerance_ms)

    def write_readings(self, station: str, readings: list[Reading]) -> None:
        self.write_batch([StationReadings(station, readings)])

    def record_health(self, station: str, health: Health, received_ms: int) -> None:
        with self._transaction() as db:
            db.execute(
                """INSERT INTO station_health VALUES (?,?,?)
                   ON CONFLICT (station) DO UPDATE SET ts = excluded.ts, fields = excluded.fields
                   WHERE excluded.ts >= station_health.ts""",
                (station, health.ts, json.dumps(health_fields(health))),
            )
            _touch(db, station, received_ms)

    def latest_health(self, station: str) -> HealthSample | None:
        with self._lock:
            row = self._db.execute(
                "SELECT ts, fields FROM station_health WHERE station = ?", (station,)
            ).fetchone()
        return None if row is None else HealthSample(row[0], json.loads(row[1]))

    def aggregate(self, station: str, start_ms: int, end_ms: int, every_s: int) -> list[Bucket]:
        every_ms = every_s * 1000
        if every_ms % sqlite_rollup.HOUR_MS == 0:  # hours and days: from the hourly rollup
            with self._lock:
                return sqlite_rollup.aggregate(self._db, station, start_ms, end_ms, every_ms)
        with self._lock:
            rows = self._db.execute(
                """SELECT ((ts + :off) / :every) * :every - :off AS bucket, count(*),
                          min(temp_c), avg(temp_c), max(temp_c),
                          min(rh), avg(rh), max(rh),
                          min(wbgt), avg(wbgt), max(wbgt)
                   FROM readings WHERE station = :station AND ts >= :start AND ts < :end
                   GROUP BY bucket ORDER BY bucket""",
                {
                    "off": JST_OFFSET_MS,
                    "every": every_ms,
                    "station": station,
                    "start": start_ms,
                    "end": end_ms,
                },
            ).fetchall()
        return [
            Bucket(
                start_ms=row[0],
                count=row[1],
                temp_c=_triple(row[2:5]),
                rh=_triple(row[5:8]),
                wbgt=_triple(row[8:11]),
            )
            for row in rows
        ]

    def maintain(self) -> None:
        """Bring the hourly rollup up to date, a chunk of hours per transaction (reads
        aggregate hours still dirty from raw readings, so a backlog only costs time)."""
        for _ in range(sqlite_rollup.REFRESH_CHUNKS):
            with self._transaction() as db:
                if sqlite_rollup.refresh_chunk(db, time.time_ns() // 1_000_000) == 0:
                    return

    def ping(self) -> None:
        """Take the write lock for a moment: a ``SELECT 1`` passes while another process
        holds it, and ingest would then flap between "back" and "unavailable"."""
        with self._lock:
            try:
                self._db.execute(f"PRAGMA busy_timeout = {PROBE_TIMEOUT_MS}")
                try:
                    self._db.execute("BEGIN IMMEDIATE")
                    self._db.execute("ROLLBACK")
                finally:
                    self._db.execute(f"PRAGMA busy_timeout = {int(WRITE_TIMEOUT_S * 1000)}")
            except sqlite3.Error as exc:
                raise StoreUnavailableError(f"SQLite time series: {exc}") from exc

    def record_status(self, station: str, status: Status, received_ms: int) -> None:
        online = status.state is StationState.ONLINE
        with self._transaction() as db:
            db.execute(
                """INSERT INTO station_status (station, online, session, last_seen)
                   VALUES (?,?,?,?)
                   ON CONFLICT (station) DO UPDATE SET
                     online = excluded.online, session = excluded.session,
                     last_seen = max(last_seen, excluded.last_seen)
                   WHERE excluded.session >= coalesce(station_status.session, 0)""",
                (station, online, status.session, received_ms),
            )

    def readings(self, station: str, start_ms: int, end_ms: int) -> list[Reading]:
        with self._lock:
            rows = self._db.execute(
                "SELECT ts, temp_c, rh, wbgt, level, quality, time_source FROM readings"
                " WHERE station = ? AND ts >= ? AND ts < ? ORDER BY ts",
                (station, start_ms, end_ms),
            ).fetchall()
        return [_reading(row) for row in rows]

    def fleet(self) -> list[LatestState]:
        with self._lock:
            rows = self._db.execute(
                """SELECT s.station, s.last_seen, s.online, s.session,
                          r.ts, r.temp_c, r.rh, r.wbgt, r.level, r.quality, r.time_source
                   FROM station_status s
                   LEFT JOIN readings r ON r.station = s.station AND r.ts = s.latest_ts
                   ORDER BY s.station"""
            ).fetchall()
        return [
            LatestState(
                station=row[0],
                last_seen_ms=row[1],
                online=None if row[2] is None else bool(row[2]),
                session=row[3],
                latest=None if row[4] is None else _reading(row[4:]),
            )
            for row in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _reading(row: Sequence[Any]) -> Reading:
    ts, temp_c, rh, wbgt, level, quality, time_source = row
    return Reading.model_validate(
        {
            "ts": ts,
            "temp_c": temp_c,
            "rh": rh,
            "wbgt": wbgt,
            "level": level,
            "quality": quality,
            "time": time_source,
        }
    )


def _triple(values: Sequence[Any]) -> tuple[float, float, float] | None:
    low, mean, high = values
    return None if mean is None else (float(low), float(mean), float(high))


# A reading sent again keeps the place in the station's order it first arrived with.
UPSERT_READING = """INSERT INTO readings VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT (station, ts) DO UPDATE SET
      temp_c = excluded.temp_c, rh = excluded.rh, wbgt = excluded.wbgt,
      level = excluded.level, quality = excluded.quality,
      time_source = excluded.time_source, future = excluded.future"""
UPSERT_SEEN = """INSERT INTO station_status (station, last_seen, latest_ts) VALUES (?,?,?)
    ON CONFLICT (station) DO UPDATE SET
      last_seen = max(last_seen, excluded.last_seen), latest_ts = excluded.latest_ts"""
Row = tuple[str, int, float | None, float | None, float | None, str | None, str, str,
            int | None, int | None, int, int]  # fmt: skip


def _write(db: sqlite3.Connection, batch: list[StationReadings], tolerance_ms: int) -> None:
    """A batch's readings in one statement per table: every row at once (in batch order,
    so a reading twice in a batch ends as the sequential writes would leave it), the
    rollup's dirty hours, then each station's status once (its newest ``last_seen``,
    and its latest reading as the order index has it after the batch)."""
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for item in batch:
        station, session, seq = item.station, item.session, item.seq
        future_after = item.future_after(tolerance_ms)
        newest = future_after - tolerance_ms  # no trusted reading: seen when it arrived
        trusted = False
        for i, r in enumerate(item.readings):
            ts = r.ts
            future = ts > future_after
            if not future and (not trusted or ts > newest):
                newest, trusted = ts, True
            # The enums are str: SQLite binds their values.
            rows.append(
                (station, ts, r.temp_c, r.rh, r.wbgt, r.level, r.quality, r.time,
                 session, seq, i, int(future))
            )  # fmt: skip
        if seen.get(station, newest) <= newest:
            seen[station] = newest
    db.executemany(UPSERT_READING, rows)
    sqlite_rollup.mark(db, {(row[0], sqlite_rollup.hour_of(row[1])) for row in rows})
    status = []
    for station, last_seen in seen.items():
        latest = db.execute(LATEST_OF, (station,)).fetchone()
        status.append((station, last_seen, None if latest is None else latest[0]))
    db.executemany(UPSERT_SEEN, status)


def _touch(db: sqlite3.Connection, station: str, seen_ms: int) -> None:
    db.execute(
        """INSERT INTO station_status (station, last_seen) VALUES (?,?)
           ON CONFLICT (station) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)""",
        (station, seen_ms),
    )
