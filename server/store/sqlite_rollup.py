"""Hourly aggregates of the SQLite time series, for history over weeks and months.

Every write marks the (station, hour) it touched in ``rollup_dirty``, in the same
transaction as the readings, so a crash cannot leave an hour out of date unnoticed.
``refresh`` (ingest's housekeeping, about once a minute) recomputes ended dirty hours from
the raw readings. Reads take clean hours from ``readings_1h`` and aggregate the rest — the
current hour and any hour still dirty — from the raw readings, so an answer is always the
same as from raw points. Per-field sums and counts let whole JST days be summed from hours
(Japan's offset is a whole number of hours).
"""

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from server.store.base import Bucket

HOUR_MS = 3_600_000
JST_OFFSET_MS = 9 * HOUR_MS
REFRESH_CHUNK = 2000  # dirty hours per transaction: ingest's writes interleave
REFRESH_CHUNKS = 5  # per housekeeping run: a file from before the rollup catches up slowly
FIELDS = ("temp_c", "rh", "wbgt")

SCHEMA = """
CREATE TABLE IF NOT EXISTS rollup_dirty (
    station TEXT NOT NULL, hour INTEGER NOT NULL, PRIMARY KEY (station, hour)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS readings_1h (
    station TEXT NOT NULL, hour INTEGER NOT NULL, n INTEGER NOT NULL,
    temp_c_n INTEGER, temp_c_sum REAL, temp_c_min REAL, temp_c_max REAL,
    rh_n INTEGER, rh_sum REAL, rh_min REAL, rh_max REAL,
    wbgt_n INTEGER, wbgt_sum REAL, wbgt_min REAL, wbgt_max REAL,
    PRIMARY KEY (station, hour)
) WITHOUT ROWID;
"""
_PARTS = ", ".join(f"count({f}), sum({f}), min({f}), max({f})" for f in FIELDS)
_RECOMPUTE = f"""INSERT OR REPLACE INTO readings_1h
    SELECT :station, :hour, count(*), {_PARTS} FROM readings
    WHERE station = :station AND ts >= :hour AND ts < :hour + {HOUR_MS}"""
_COMBINED = ", ".join(f"sum({f}_n), sum({f}_sum), min({f}_min), max({f}_max)" for f in FIELDS)


def hour_of(ts: int) -> int:
    return ts - ts % HOUR_MS


def create(db: sqlite3.Connection) -> None:
    """The tables; on a file from before them, every hour that has readings is dirty."""
    had = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'readings_1h'").fetchone()
    db.executescript(SCHEMA)
    if had is None:
        db.execute(
            f"INSERT OR IGNORE INTO rollup_dirty"
            f" SELECT DISTINCT station, ts - ts % {HOUR_MS} FROM readings"
        )


def mark(db: sqlite3.Connection, hours: Iterable[tuple[str, int]]) -> None:
    """Mark (station, hour) pairs dirty, in the caller's write transaction."""
    db.executemany("INSERT OR IGNORE INTO rollup_dirty VALUES (?, ?)", hours)


def refresh_chunk(db: sqlite3.Connection, now_ms: int) -> int:
    """Recompute up to REFRESH_CHUNK ended dirty hours; returns how many."""
    ended = hour_of(now_ms)  # the current hour is still being written
    rows = db.execute(
        "SELECT station, hour FROM rollup_dirty WHERE hour < ? LIMIT ?", (ended, REFRESH_CHUNK)
    ).fetchall()
    for station, hour in rows:
        db.execute(_RECOMPUTE, {"station": station, "hour": hour})
    db.executemany("DELETE FROM rollup_dirty WHERE station = ? AND hour = ?", rows)
    db.execute("DELETE FROM readings_1h WHERE n = 0")
    return len(rows)


def aggregate(
    db: sqlite3.Connection, station: str, start_ms: int, end_ms: int, every_ms: int
) -> list[Bucket]:
    """Buckets of whole hours or JST days (``every_ms`` a multiple of an hour, ``start_ms``
    on an hour): clean hours from the rollup, the others from raw readings."""
    dirty = [
        h
        for (h,) in db.execute(
            "SELECT hour FROM rollup_dirty WHERE station = ? AND hour >= ? AND hour < ?",
            (station, start_ms, end_ms),
        )
    ]
    clean_start = -(-start_ms // HOUR_MS) * HOUR_MS  # a partial first hour: raw
    clean_end = max(clean_start, hour_of(end_ms))  # a partial last hour: raw
    if clean_start >= end_ms:
        return _merge(_raw_parts(db, station, [(start_ms, end_ms)], every_ms))
    bucket = f"((hour + {JST_OFFSET_MS}) / {every_ms}) * {every_ms} - {JST_OFFSET_MS}"
    rolled = db.execute(
        f"SELECT {bucket} AS b, sum(n), {_COMBINED} FROM readings_1h"
        f" WHERE station = ? AND hour >= ? AND hour < ?"
        f" AND hour NOT IN (SELECT hour FROM rollup_dirty WHERE station = ?)"
        f" GROUP BY b",
        (station, clean_start, clean_end, station),
    ).fetchall()
    raw_ranges = _ranges(h for h in dirty if clean_start <= h < clean_end)
    if start_ms < clean_start:
        raw_ranges.append((start_ms, clean_start))
    if clean_end < end_ms:
        raw_ranges.append((clean_end, end_ms))
    raw = _raw_parts(db, station, raw_ranges, every_ms)
    return _merge(rolled, raw)


def _ranges(hours: Iterable[int]) -> list[tuple[int, int]]:
    """Hours as [start, end) ranges, adjacent ones joined."""
    ranges: list[tuple[int, int]] = []
    for h in sorted(hours):
        if ranges and ranges[-1][1] == h:
            ranges[-1] = (ranges[-1][0], h + HOUR_MS)
        else:
            ranges.append((h, h + HOUR_MS))
    return ranges


def _raw_parts(
    db: sqlite3.Connection, station: str, ranges: list[tuple[int, int]], every_ms: int
) -> list[Sequence[Any]]:
    if not ranges:
        return []
    where = " OR ".join("(ts >= ? AND ts < ?)" for _ in ranges)
    bucket = f"((ts + {JST_OFFSET_MS}) / {every_ms}) * {every_ms} - {JST_OFFSET_MS}"
    return db.execute(
        f"SELECT {bucket} AS b, count(*), {_PARTS} FROM readings"
        f" WHERE station = ? AND ({where}) GROUP BY b",
        (station, *(edge for r in ranges for edge in r)),
    ).fetchall()


def _merge(*sources: list[Sequence[Any]]) -> list[Bucket]:
    """Rows of (bucket, n, then n/sum/min/max per field) summed per bucket."""
    acc: dict[int, list[Any]] = {}
    for rows in sources:
        for row in rows:
            have = acc.get(row[0])
            if have is None:
                acc[row[0]] = list(row)
                continue
            have[1] += row[1]
            for i in range(len(FIELDS)):
                n, total, low, high = row[2 + 4 * i : 6 + 4 * i]
                if not n:
                    continue
                at = 2 + 4 * i
                have[at] = (have[at] or 0) + n
                have[at + 1] = (have[at + 1] or 0.0) + total
                have[at + 2] = low if have[at + 2] is None else min(have[at + 2], low)
                have[at + 3] = high if have[at + 3] is None else max(have[at + 3], high)
    return [_bucket(acc[b]) for b in sorted(acc)]


def _bucket(row: Sequence[Any]) -> Bucket:
    def triple(i: int) -> tuple[float, float, float] | None:
        n, total, low, high = row[2 + 4 * i : 6 + 4 * i]
        if not n:
            return None
        return (float(low), float(total) / n, float(high))

    return Bucket(row[0], int(row[1]), triple(0), triple(1), triple(2))
