"""The InfluxDB time-series store: writes through a LineWriter, reads in InfluxQL.

InfluxQL over ``/query`` works on 1.x, on 2.x (v1 compatibility with a DBRP mapping) and
on 3.x, so one read path serves every version. Schema: docs/timeseries.md.
"""

import re
import time
from typing import Any

import httpx

from contract.levels import ordered_levels
from contract.messages import Health, Reading, StationState, Status
from server.settings import ServerSettings, TimeSeriesBackend
from server.store.base import (
    Bucket,
    HealthSample,
    LatestState,
    StationReadings,
    StoreUnavailableError,
    health_fields,
)
from server.store.influx_write import (
    QUALITY_CODES,
    TIME_CODES,
    LineWriter,
    V1Writer,
    V2Writer,
    line,
    reading_lines,
)

_QUALITY = {v: k for k, v in QUALITY_CODES.items()}
_TIME = {v: k for k, v in TIME_CODES.items()}
_LEVELS = ordered_levels()
READING_FIELDS = "temp_c, rh, wbgt, level, quality, time_source"
FLEET_WINDOW_S = 3600
LAST_PER_STATION = "GROUP BY station ORDER BY time DESC LIMIT 1"
# Status points arrive once per station connect; the fleet view may show one a few
# seconds late, which spares a scan of every station's status series per request.
STATUS_CACHE_S = 5.0


def quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class InfluxQL:
    """Queries over ``/query``; answers as {series name or tag value: rows}."""

    def __init__(self, settings: ServerSettings) -> None:
        s = settings
        if s.timeseries_backend is TimeSeriesBackend.INFLUXDB:
            database, _, rp = s.influx_bucket.partition("/")
            self.rp = rp or "autogen"
            headers = {"Authorization": f"Token {s.influx_token.get_secret_value()}"}
            self.params: dict[str, str] = {"db": database}
        else:
            database, self.rp, headers = s.influx_database, s.influx_retention_policy, {}
            self.params = {"db": database}
            if s.influx_username:
                self.params |= {"u": s.influx_username, "p": s.influx_password.get_secret_value()}
        self.database = database
        self.client = httpx.Client(
            base_url=s.influx_url, headers=headers, timeout=s.influx_timeout_s
        )

    def query(self, q: str, method: str = "GET") -> list[dict[str, Any]]:
        params = self.params | {"q": q, "epoch": "ms"}
        try:
            answer = self.client.request(method, "/query", params=params)
        except httpx.HTTPError as exc:
            raise StoreUnavailableError(f"InfluxDB query failed: {exc!r}") from exc
        if answer.status_code != 200:
            raise StoreUnavailableError(f"InfluxDB query: {answer.status_code} {answer.text}")
        results: list[dict[str, Any]] = answer.json().get("results", [])
        for result in results:
            if "error" in result:
                raise StoreUnavailableError(f"InfluxDB query error: {result['error']}")
        return results

    def ping(self) -> None:
        try:
            answer = self.client.get("/ping")
        except httpx.HTTPError as exc:
            raise StoreUnavailableError(f"InfluxDB does not answer: {exc!r}") from exc
        if answer.status_code != 204:
            raise StoreUnavailableError(f"InfluxDB ping: {answer.status_code}")

    def close(self) -> None:
        self.client.close()


def _rows(result: dict[str, Any]) -> list[tuple[dict[str, str], list[dict[str, Any]]]]:
    out = []
    for series in result.get("series", []):
        columns = series["columns"]
        out.append(
            (
                series.get("tags", {}),
                [dict(zip(columns, v, strict=True)) for v in series.get("values", [])],
            )
        )
    return out


def _reading(row: dict[str, Any]) -> Reading:
    quality = _QUALITY.get(row.get("quality") or 0.0)
    level = row.get("level")
    return Reading.model_validate(
        {
            "ts": row["time"],
            "temp_c": row.get("temp_c"),
            "rh": row.get("rh"),
            "wbgt": row.get("wbgt"),
            "level": None if level is None else _LEVELS[int(level)],
            "quality": quality,
            "time": _TIME.get(row.get("time_source") or 0.0),
        }
    )


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
        self.writer = writer or make_writer(settings)
        self._from = f'"{self.ql.database}"."{self.ql.rp}"'
        self._status_cache: tuple[float, dict[str, dict[str, Any]]] = (-STATUS_CACHE_S, {})

    def write_batch(self, batch: list[StationReadings]) -> None:
        lines = reading_lines(batch)
        if lines:
            self.writer.write(lines)

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
        return [_reading(row) for _, rows in _rows(self.ql.query(q)[0]) for row in rows]

    def aggregate(self, station: str, start_ms: int, end_ms: int, every_s: int) -> list[Bucket]:
        stats = ", ".join(
            f"min({f}) AS {f}_min, mean({f}) AS {f}_mean, max({f}) AS {f}_max"
            for f in ("temp_c", "rh", "wbgt")
        )
        q = (
            f"SELECT count(quality) AS n, {stats} FROM {self._from}.reading"
            f" WHERE {self._where(station, start_ms, end_ms)}"
            f" GROUP BY time({every_s}s) fill(none) tz('Asia/Tokyo')"
        )
        buckets = []
        for _, rows in _rows(self.ql.query(q)[0]):
            for row in rows:

                def triple(f: str, row: dict[str, Any] = row) -> tuple[float, float, float] | None:
                    if row[f"{f}_mean"] is None:
                        return None
                    return (row[f"{f}_min"], row[f"{f}_mean"], row[f"{f}_max"])

                buckets.append(
                    Bucket(
                        row["time"],
                        int(row["n"] or 0),
                        triple("temp_c"),
                        triple("rh"),
                        triple("wbgt"),
                    )
                )
        return buckets

    def latest_health(self, station: str) -> HealthSample | None:
        q = (
            f"SELECT * FROM {self._from}.health WHERE station = {quote(station)}"
            " ORDER BY time DESC LIMIT 1"
        )
        for _, rows in _rows(self.ql.query(q)[0]):
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

        Scanning every series to its end is slow with many stations, so readings and
        health are looked up in a recent window first, and only stations missing from it
        are looked up over all time. Status (one point per connect) is cached briefly.
        """
        last = LAST_PER_STATION
        recent = f"WHERE time > now() - {FLEET_WINDOW_S}s"
        results = self.ql.query(
            f"SELECT {READING_FIELDS} FROM {self._from}.reading {recent} {last};"
            f"SELECT outbox_depth FROM {self._from}.health {recent} {last};"
            f'SHOW TAG VALUES FROM {self._from}.reading WITH KEY = "station"'
        )
        latest = {tags["station"]: rows[0] for tags, rows in _rows(results[0]) if rows}
        health = {tags["station"]: rows[0]["time"] for tags, rows in _rows(results[1]) if rows}
        every = {row["value"] for _, rows in _rows(results[2]) for row in rows}
        silent = sorted(every - latest.keys())
        for chunk in range(0, len(silent), 200):
            names = "|".join(re.escape(s) for s in silent[chunk : chunk + 200])
            where = f"WHERE station =~ /^(?:{names})$/"
            q = f"SELECT {READING_FIELDS} FROM {self._from}.reading {where} {last}"
            found = _rows(self.ql.query(q)[0])
            latest |= {tags["station"]: rows[0] for tags, rows in found if rows}
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
                    latest=None if row is None else _reading(row),
                )
            )
        return states

    def _statuses(self) -> dict[str, dict[str, Any]]:
        cached_at, cached = self._status_cache
        if time.monotonic() - cached_at < STATUS_CACHE_S:
            return cached
        q = f"SELECT online, session FROM {self._from}.status {LAST_PER_STATION}"
        fresh = {tags["station"]: rows[0] for tags, rows in _rows(self.ql.query(q)[0]) if rows}
        self._status_cache = (time.monotonic(), fresh)
        return fresh

    def ping(self) -> None:
        self.ql.ping()

    def close(self) -> None:
        self.writer.close()
        self.ql.close()
