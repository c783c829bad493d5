"""A station's data: raw readings, history, its latest health report, export (JST times)."""

import csv
import io
import json
from datetime import timedelta
from enum import StrEnum

from fastapi import APIRouter, HTTPException, Response

from server.api.deps import Reader, SessionDep, StoreDep
from server.api.schemas import BucketOut, HealthOut, IdInPath, ReadingOut, jst
from server.api.stations import known_station
from server.api.timerange import TimeQuery, time_range

router = APIRouter(prefix="/api/v1/stations", tags=["stations"])
MAX_RANGE = timedelta(days=31)
MAX_BUCKETS = 5000


class Every(StrEnum):
    AUTO = "auto"  # by the range: 10m up to 2 days, 1h up to 60 days, then 1d
    MINUTE = "1m"
    TEN_MINUTES = "10m"
    HOUR = "1h"
    DAY = "1d"

    @property
    def seconds(self) -> int:
        return {"auto": 86_400, "1m": 60, "10m": 600, "1h": 3600, "1d": 86_400}[self.value]

    def for_range(self, span_ms: int) -> "Every":
        """The bucket size to use: hours and days come from the stores' hourly rollups."""
        if self is not Every.AUTO:
            return self
        if span_ms <= 2 * 86_400_000:
            return Every.TEN_MINUTES
        return Every.HOUR if span_ms <= 60 * 86_400_000 else Every.DAY


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@router.get("/{station_id}/readings", summary="Raw readings (at most 31 days)")
def station_readings(
    station_id: IdInPath,
    _: Reader,
    store: StoreDep,
    session: SessionDep,
    start: TimeQuery = None,
    end: TimeQuery = None,
) -> list[ReadingOut]:
    start_ms, end_ms = time_range(start, end, MAX_RANGE)
    readings = store.readings(station_id, start_ms, end_ms)
    if not readings:
        known_station(session, store, station_id)  # 404 for a station nobody knows
    return [ReadingOut.of(r) for r in readings]


@router.get(
    "/{station_id}/history",
    summary="min/mean/max per 1m, 10m, 1h or 1d (JST days), or chosen by the range",
    response_model=list[BucketOut],
)
def station_history(
    station_id: IdInPath,
    _: Reader,
    store: StoreDep,
    session: SessionDep,
    every: Every = Every.AUTO,
    start: TimeQuery = None,
    end: TimeQuery = None,
) -> Response:
    start_ms, end_ms = time_range(start, end, timedelta(seconds=every.seconds * MAX_BUCKETS))
    every = every.for_range(end_ms - start_ms)
    buckets = store.aggregate(station_id, start_ms, end_ms, every.seconds)
    if not buckets:
        known_station(session, store, station_id)

    def stat(triple: tuple[float, float, float] | None) -> dict[str, float] | None:
        return None if triple is None else {"min": triple[0], "mean": triple[1], "max": triple[2]}

    # Plain dicts in the BucketOut shape: a 7-day history is a thousand buckets.
    body = [
        {
            "time": jst(b.start_ms).isoformat(),
            "count": b.count,
            "temp_c": stat(b.temp_c),
            "rh": stat(b.rh),
            "wbgt": stat(b.wbgt),
        }
        for b in buckets
    ]
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


@router.get("/{station_id}/health", summary="The station's latest health report")
def station_health(
    station_id: IdInPath, _: Reader, store: StoreDep, session: SessionDep
) -> HealthOut:
    known_station(session, store, station_id)
    sample = store.latest_health(station_id)
    if sample is None:
        raise HTTPException(
            404, f"局 {station_id!r} の稼働情報はまだありません / no health report yet"
        )
    return HealthOut(time=jst(sample.ts), fields=sample.fields)


@router.get(
    "/{station_id}/export",
    summary="Raw readings as CSV or JSON (JST times)",
    response_model=list[ReadingOut],
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def export(
    station_id: IdInPath,
    _: Reader,
    store: StoreDep,
    session: SessionDep,
    format: ExportFormat = ExportFormat.CSV,
    start: TimeQuery = None,
    end: TimeQuery = None,
) -> Response:
    start_ms, end_ms = time_range(start, end, MAX_RANGE)
    known_station(session, store, station_id)
    rows = [ReadingOut.of(r) for r in store.readings(station_id, start_ms, end_ms)]
    stamp = jst(start_ms).strftime("%Y%m%d")  # the file name is dated in JST, like its rows
    filename = f"kyusui-{station_id}-{stamp}.{format.value}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format is ExportFormat.JSON:
        body = "[" + ",".join(r.model_dump_json() for r in rows) + "]"
        return Response(body, media_type="application/json", headers=headers)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = ["time", "temp_c", "rh", "wbgt", "level", "quality", "time_source"]
    writer.writerow(columns)
    for r in rows:
        values = r.model_dump(mode="json")
        writer.writerow(["" if values[c] is None else values[c] for c in columns])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
