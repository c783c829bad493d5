"""The InfluxDB time-series store: writes through a LineWriter, reads in InfluxQL.

InfluxQL over ``/query`` works on 1.x, on 2.x (v1 compatibility with a DBRP mapping) and
on 3.x, so one read path serves every version. Schema: docs/timeseries.md.
"""

import re
import time
from typing import Any

from contract.messages import Health, Reading, StationState, Status
from server.settings import ServerSettings, TimeSeriesBackend
from server.store.base import (
    Bucket,
    HealthSample,
    LatestState,
    StationReadings,
    health_fields,
)
from server.store.influx_read import READING_FIELDS, InfluxQL, quote, reading_of, rows_of
from server.store.influx_rollup import (
    HOUR_MS,
    HOURLY_TARGET,
    SETTLED_MS,
    STEP_MS,
    Rollup,
    oldest_of,
)
from server.store.influx_rollup import STATS as ROLLUP_STATS
from server.store.influx_write import (
    LineWriter,
    V1Writer,
    V2Writer,
    line,
    reading_lines,
)

FLEET_WINDOW_S = 3600
LAST_PER_STATION = "GROUP BY station ORDER BY time DESC LIMIT 1"
# The station's own newest (docs/timeseries.md): the point with the highest sent_order.
NEWEST_SENT = f"max(sent_order) AS sent_order, {READING_FIELDS}"
# Status points arrive once per station connect; the fleet view may show one a few
# seconds late, which spares a scan of every station's status series per request.
STATUS_CACHE_S = 5.0


ROLLUP_RP = "rollup"


def _bucket(row: dict[str, Any]) -> Bucket:
    def triple(f: str) -> tuple[float, float, float] | None:
        if row.get(f"{f}_mean") is None:
            return None
        return (float(row[f"{f}_min"]), float(row[f"{f}_mean"]), float(row[f"{f}_max"]))

    return Bucket(
        int(row["time"]), int(row.get("n") or 0), triple("temp_c"), triple("rh"), triple("wbgt")
    )


def _newest(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each station's row, leaving out an empty ``max(sent_order)`` (no point carried it)."""
    return {
        tags["station"]: rows[0]
        for tags, rows in rows_of(result)
        if rows and rows[0].get("sent_order", 0) is not None
    }


def make_writer(settings: ServerSettings) -> LineWriter:
    s = settings
    if s.timeseries_backend is TimeSeriesBackend.INFLUXDB:
        return V2Writer(
            s.influx_url,
            s.influx_token.get_secret_value(),
            s.influx_org,
            s.influx_bucket,
            s.influx_timeout_s,
        )
    return V1Writer(
        s.influx_url,
        s.influx_database,
        s.influx_retention_policy,
        s.influx_username,
        s.influx_password.get_secret_value(),
        s.influx_timeout_s,
    )


class InfluxTimeSeries:
    def __init__(self, settings: ServerSettings, writer: LineWriter | None = None) -> None:
        self.ql = InfluxQL(settings)
        self.future_tolerance_ms = int(settings.future_tolerance_s * 1000)
        self.writer = writer or make_writer(settings)
        self._from = f'"{self.ql.database}"."{self.ql.rp}"'
        self._rollup_from = f'"{self.ql.database}"."{ROLLUP_RP}"'
        self.rollup = Rollup(self.ql, self._from, self._rollup_from)
        self.hourly = Rollup(self.ql, self._from, self._rollup_from, HOUR_MS, HOURLY_TARGET)
        # SELECT … INTO exists only in InfluxDB 1.x; 2.x/3.x aggregate raw points on read.
        self.rollup_kept = settings.timeseries_backend is TimeSeriesBackend.INFLUXDB_V1
        self.rollup_reads = settings.influx_rollup_reads and self.rollup_kept
        self._status_cache: tuple[float, dict[str, dict[str, Any]]] = (-STATUS_CACHE_S, {})

    def write_batch(self, batch: list[StationReadings]) -> None:
        lines = reading_lines(batch, self.future_tolerance_ms)
        if lines:
            self.writer.write(lines)
            if self.rollup_kept:
                oldest = oldest_of(batch)
                self.rollup.mark_all(oldest)
                self.hourly.mark_all(oldest)

    def maintain(self) -> None:
        if self.rollup_kept:
            self.rollup.refresh()
            self.hourly.refresh()

    def write_readings(self, station: str, readings: list[Reading]) -> None:
        self.write_batch([StationReadings(station, readings)])

    def record_status(self, station: str, status: Status, received_ms: int) -> None:
        fields = {
            "online": float(status.state is StationState.ONLINE),
            "session": float(status.session),
        }
        self.writer.write(
            [line("status", {"station": station, "area": status.area}, fields, received_ms)]
        )

    def record_health(self, station: str, health: Health, received_ms: int) -> None:
        self.writer.write(
            [line("health", {"station": station}, health_fields(health), received_ms)]
        )

    def _where(self, station: str, start_ms: int, end_ms: int) -> str:
        return f"station = {quote(station)} AND time >= {start_ms}ms AND time < {end_ms}ms"

    def readings(self, station: str, start_ms: int, end_ms: int) -> list[Reading]:
        where = self._where(station, start_ms, end_ms)
        q = f"SELECT {READING_FIELDS} FROM {self._from}.reading WHERE {where}"
        return [reading_of(row) for _, rows in rows_of(self.ql.query(q)[0]) for row in rows]

    def aggregate(self, station: str, start_ms: int, end_ms: int, every_s: int) -> list[Bucket]:
        rollup = {STEP_MS: self.rollup, HOUR_MS: self.hourly}.get(every_s * 1000)
        if rollup is None or not self.rollup_reads:
            return self._buckets([self._raw_query(station, start_ms, end_ms, every_s)])
        # Settled buckets from the rollup, the last few minutes from raw points, in one
        # request.
        settled = rollup.floor(time.time_ns() // 1_000_000 - SETTLED_MS)
        split = min(max(settled, start_ms), end_ms)
        queries = []
        if split > start_ms:
            columns = ", ".join(f"{f}_min, {f}_mean, {f}_max" for f in ("temp_c", "rh", "wbgt"))
            queries.append(
                f"SELECT n, {columns} FROM {self._rollup_from}.{rollup.target}"
                f" WHERE {self._where(station, start_ms, split)}"
            )
        if end_ms > split:
            queries.append(self._raw_query(station, split, end_ms, every_s))
        return self._buckets(queries)

    def _raw_query(self, station: str, start_ms: int, end_ms: int, every_s: int) -> str:
        return (
            f"SELECT count(quality) AS n, {ROLLUP_STATS} FROM {self._from}.reading"
            f" WHERE {self._where(station, start_ms, end_ms)}"
            f" GROUP BY time({every_s}s) fill(none) tz('Asia/Tokyo')"
        )

    def _buckets(self, queries: list[str]) -> list[Bucket]:
        results = self.ql.query(";".join(queries))
        return [_bucket(row) for result in results for _, rows in rows_of(result) for row in rows]

    def latest_health(self, station: str) -> HealthSample | None:
        q = (
            f"SELECT * FROM {self._from}.health WHERE station = {quote(station)}"
            " ORDER BY time DESC LIMIT 1"
        )
        for _, rows in rows_of(self.ql.query(q)[0]):
            for row in rows:
                ts = row.pop("time")
                fields = {
                    k: float(v)
                    for k, v in row.items()
                    if isinstance(v, int | float) and k != "station"
                }
                return HealthSample(ts, fields)
        return None

    def fleet(self) -> list[LatestState]:
        """Each station's newest reading, status and health time.

        The newest reading is the one with the highest ``sent_order`` (points written
        without one, by older versions, fall back to the newest time). Scanning every
        series to its end is slow with many stations, so readings and health are looked
        up in a recent window first, and only stations missing from it are looked up over
        all time. Status (one point per connect) is cached briefly.
        """
        last = LAST_PER_STATION
        recent = f"WHERE time > now() - {FLEET_WINDOW_S}s"
        results = self.ql.query(
            f"SELECT {NEWEST_SENT} FROM {self._from}.reading {recent} GROUP BY station;"
            f"SELECT outbox_depth FROM {self._from}.health {recent} {last};"
            f'SHOW TAG VALUES FROM {self._from}.reading WITH KEY = "station"'
        )
        latest = _newest(results[0])
        health = {tags["station"]: rows[0]["time"] for tags, rows in rows_of(results[1]) if rows}
        every = {row["value"] for _, rows in rows_of(results[2]) for row in rows}
        for select in (f"{NEWEST_SENT} FROM", f"{READING_FIELDS} FROM"):
            silent = sorted(every - latest.keys())
            grouping = "GROUP BY station" if select.startswith(NEWEST_SENT) else last
            for chunk in range(0, len(silent), 200):
                names = "|".join(re.escape(s) for s in silent[chunk : chunk + 200])
                where = f"WHERE station =~ /^(?:{names})$/"
                q = f"SELECT {select} {self._from}.reading {where} {grouping}"
                latest |= _newest(self.ql.query(q)[0])
        status = self._statuses()
        states = []
        for station in sorted(latest.keys() | status.keys() | health.keys()):
            row, st = latest.get(station), status.get(station)
            seen = [t for t in (row and row["time"], st and st["time"], health.get(station)) if t]
            states.append(
                LatestState(
                    station=station,
                    last_seen_ms=max(seen) if seen else None,
                    online=None if st is None else bool(st["online"]),
                    session=None if st is None else int(st["session"]),
                    latest=None if row is None else reading_of(row),
                )
            )
        return states

    def _statuses(self) -> dict[str, dict[str, Any]]:
        cached_at, cached = self._status_cache
        if time.monotonic() - cached_at < STATUS_CACHE_S:
            return cached
        q = f"SELECT online, session FROM {self._from}.status {LAST_PER_STATION}"
        fresh = {tags["station"]: rows[0] for tags, rows in rows_of(self.ql.query(q)[0]) if rows}
        self._status_cache = (time.monotonic(), fresh)
        return fresh

    def ping(self) -> None:
        self.ql.ping()

    def close(self) -> None:
        self.writer.close()
        self.ql.close()
