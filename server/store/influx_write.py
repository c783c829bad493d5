"""Writing to InfluxDB: line protocol, and two writers with the same errors.

Writes are synchronous because ingest acknowledges a message only after its readings are
stored: a batching client would report success before the data is safe, and only log
failures. Connection problems and 5xx answers become StoreUnavailableError (retry later);
a 4xx answer (bad data) becomes StoreRejectedError (retrying cannot help).
"""

import http.client
import threading
import urllib.parse
from collections.abc import Iterable
from typing import Protocol

from contract.levels import Level
from contract.messages import Quality, Reading, TimeSource
from server.store.base import (
    FUTURE_TOLERANCE_S,
    StationReadings,
    StoreRejectedError,
    StoreUnavailableError,
)

QUALITY_CODES = {Quality.OK: 0.0, Quality.EXTRAPOLATED: 1.0, Quality.FAULT: 2.0}
TIME_CODES = {TimeSource.SYNCED: 0.0, TimeSource.REDATED: 1.0, TimeSource.UNSYNCED: 2.0}


def _tag(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def line(measurement: str, tags: dict[str, str | None], fields: dict[str, float], ts: int) -> str:
    tag_text = "".join(f",{k}={_tag(v)}" for k, v in sorted(tags.items()) if v)
    # repr keeps full precision and always writes a float ("21.0", never the integer "21").
    field_text = ",".join(f"{k}={float(v)!r}" for k, v in fields.items())
    return f"{measurement}{tag_text} {field_text} {ts}"


def reading_fields(reading: Reading) -> dict[str, float]:
    fields = {
        "quality": QUALITY_CODES[reading.quality],
        "time_source": TIME_CODES[reading.time],
    }
    if reading.quality is not Quality.FAULT:
        assert reading.level is not None
        fields |= {
            "temp_c": float(reading.temp_c or 0.0),
            "rh": float(reading.rh or 0.0),
            "wbgt": float(reading.wbgt or 0.0),
            "level": float(Level(reading.level).rank),
        }
    return fields


def sent_order(session: int, seq: int) -> float:
    """A station's own order of its messages as one float field, exact while the session
    stays below 2**21 (a restart a minute for four years)."""
    return float(session * 2**32 + seq)


# Per (quality, time source) and per level, the text of their fields, made once.
_CODES = {
    (q, t): f"quality={QUALITY_CODES[q]!r},time_source={TIME_CODES[t]!r}"
    for q in Quality
    for t in TimeSource
}
_LEVELS = {level: f",level={float(level.rank)!r}" for level in Level}
_HEADERS = {"Content-Type": "text/plain; charset=utf-8"}


def reading_lines(
    batch: Iterable[StationReadings], future_tolerance_ms: int = FUTURE_TOLERANCE_S * 1000
) -> list[str]:
    """Line protocol for readings; the same text ``line()`` gives, built for speed (a
    batch's lines are about a tenth of a message's cost in ingest).

    The last trusted reading of each message carries ``sent_order``, so "latest" can follow
    the station's order; a reading dated too far ahead carries ``future=1.0`` instead."""
    out: list[str] = []
    append = out.append
    # Tagged by station only: a reading's identity must not depend on whether the
    # worker that wrote it had already heard the station name its area (with several
    # workers, a replay would otherwise be stored twice, under two tag sets).
    tags_of: dict[str, str] = {}
    fault = Quality.FAULT
    for item in batch:
        tags = tags_of.get(item.station)
        if tags is None:
            tags = tags_of[item.station] = f"reading,station={_tag(item.station)} "
        future_after = item.future_after(future_tolerance_ms)
        readings = item.readings
        last = -1
        if item.session is not None and item.seq is not None:
            last = next(
                (i for i in range(len(readings) - 1, -1, -1) if readings[i].ts <= future_after), -1
            )
        for i, r in enumerate(readings):
            codes = _CODES[r.quality, r.time]
            if i == last:
                codes += f",sent_order={sent_order(item.session or 0, item.seq or 0)!r}"
            elif r.ts > future_after:
                codes += ",future=1.0"
            if r.quality is fault or r.level is None:
                append(f"{tags}{codes} {r.ts}")
            else:
                append(
                    f"{tags}{codes},temp_c={float(r.temp_c or 0.0)!r},rh={float(r.rh or 0.0)!r},"
                    f"wbgt={float(r.wbgt or 0.0)!r}{_LEVELS[r.level]} {r.ts}"
                )
    return out


class LineWriter(Protocol):
    def write(self, lines: list[str]) -> None: ...

    def close(self) -> None: ...


# What a kept-alive connection the server has since closed looks like on the next request.
_STALE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class V1Writer:
    """InfluxDB 1.x ``/write`` (database, retention policy, user and password).

    One kept-alive connection through the standard library's ``http.client``: a write is
    one request on ingest's hot path, and httpx spent 2.5 ms of CPU on each 500-line write
    where ``http.client`` spends 0.7 (docs/server.md, "What limits one worker")."""

    def __init__(
        self, url: str, database: str, rp: str, user: str, password: str, timeout_s: float
    ) -> None:
        params = {"db": database, "rp": rp, "precision": "ms"}
        if user:
            params |= {"u": user, "p": password}
        parts = urllib.parse.urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._https else 80)
        self._path = f"{parts.path.rstrip('/')}/write?{urllib.parse.urlencode(params)}"
        self._timeout_s = timeout_s
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()  # one request at a time on the one connection

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout_s
                )
            else:
                self._conn = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout_s
                )
        return self._conn

    def _post(self, body: bytes) -> tuple[int, str]:
        for attempt in (1, 2):
            reused = self._conn is not None
            conn = self._connection()
            try:
                conn.request("POST", self._path, body=body, headers=_HEADERS)
                answer = conn.getresponse()
                text = answer.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                # Once more on a new connection, only for one the server had closed while
                # idle: writes are idempotent, so a write that did land changes nothing.
                if attempt == 1 and reused and isinstance(exc, _STALE):
                    continue
                raise StoreUnavailableError(f"InfluxDB write failed: {exc!r}") from exc
            if answer.will_close:
                self.close()
            return answer.status, text
        raise AssertionError("unreachable")  # the loop returns or raises

    def write(self, lines: list[str]) -> None:
        with self._lock:
            status, text = self._post("\n".join(lines).encode("utf-8"))
        if status >= 500:
            raise StoreUnavailableError(f"InfluxDB write: {status} {text}")
        if status >= 400:
            raise StoreRejectedError(f"InfluxDB refused the data: {text.strip()}")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class V2Writer:
    """``influxdb-client`` (InfluxDB 2.x, 3.x, 1.8+), synchronous."""

    def __init__(self, url: str, token: str, org: str, bucket: str, timeout_s: float) -> None:
        from influxdb_client.client.influxdb_client import InfluxDBClient
        from influxdb_client.client.write_api import SYNCHRONOUS

        self.bucket = bucket
        self.org = org
        self.client = InfluxDBClient(
            url=url, token=token, org=org, timeout=int(timeout_s * 1000), retries=False
        )
        self.api = self.client.write_api(write_options=SYNCHRONOUS)

    def write(self, lines: list[str]) -> None:
        from influxdb_client.domain.write_precision import WritePrecision
        from influxdb_client.rest import ApiException

        try:
            self.api.write(
                bucket=self.bucket,
                org=self.org,
                record=lines,
                write_precision=WritePrecision.MS,  # type: ignore[arg-type]
            )
        except ApiException as exc:
            status = int(exc.status or 0)
            if status >= 500 or status in (0, 404):  # 404: a proxy without the backend behind
                raise StoreUnavailableError(
                    f"InfluxDB write: {status} {exc.reason}: {exc.body!r}"
                ) from exc
            raise StoreRejectedError(f"InfluxDB refused the data: {exc.body!r}") from exc
        except Exception as exc:  # urllib3 connection errors have no common public base
            raise StoreUnavailableError(f"InfluxDB write failed: {exc!r}") from exc

    def close(self) -> None:
        self.client.close()  # type: ignore[no-untyped-call]
