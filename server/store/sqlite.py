"""The embedded time-series store: one SQLite file in WAL mode.

Readings are keyed by (station, ts), so a replayed outbox overwrites itself.
"""

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contract.messages import Reading, StationState, Status
from server.store.base import LatestState

SCHEMA = """
CREATE TABLE IF NOT EXISTS readings (
    station TEXT NOT NULL,
    ts INTEGER NOT NULL,
    temp_c REAL, rh REAL, wbgt REAL, level TEXT,
    quality TEXT NOT NULL, time_source TEXT NOT NULL,
    PRIMARY KEY (station, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS station_status (
    station TEXT PRIMARY KEY,
    online INTEGER,
    session INTEGER,
    last_seen INTEGER NOT NULL,
    latest_ts INTEGER
);
"""


class SqliteTimeSeries:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)

    def write_readings(self, station: str, readings: list[Reading]) -> None:
        rows = [
            (station, r.ts, r.temp_c, r.rh, r.wbgt, r.level, r.quality.value, r.time.value)
            for r in readings
        ]
        newest = max(r.ts for r in readings)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO readings VALUES (?,?,?,?,?,?,?,?)", rows
                )
                self._db.execute(
                    """INSERT INTO station_status (station, last_seen, latest_ts) VALUES (?,?,?)
                       ON CONFLICT (station) DO UPDATE SET
                         last_seen = max(last_seen, excluded.last_seen),
                         latest_ts = max(coalesce(latest_ts, 0), excluded.latest_ts)""",
                    (station, newest, newest),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def record_status(self, station: str, status: Status, received_ms: int) -> None:
        online = status.state is StationState.ONLINE
        with self._lock:
            self._db.execute(
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
