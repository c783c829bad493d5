"""Receipts: proof of what each station's screen showed, by station and by notice."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from server.api.deps import Reader, SessionDep, StoreDep
from server.api.schemas import CountInQuery, IdInPath, ReceiptOut, jst
from server.api.stations import known_station
from server.api.timerange import TimeQuery, time_range
from server.registry import receipts
from server.registry.models import ReceiptRow

router = APIRouter(prefix="/api/v1", tags=["receipts"])
MAX_RANGE = timedelta(days=31)
Limit = Annotated[int, Query(ge=1, le=10_000, description="at most this many, oldest first")]


def receipt_out(row: ReceiptRow) -> ReceiptOut:
    return ReceiptOut(
        station_id=row.station_id,
        notice_id=row.notice_id,
        version=row.version,
        shown_at=jst(row.shown_at),
        duration_s=row.duration_s,
        lang=row.lang,
        received_at=jst(row.received_at),
    )


@router.get(
    "/stations/{station_id}/receipts",
    summary="What the station's screen showed (shown_at in [start, end), at most 31 days)",
)
def station_receipts(
    station_id: IdInPath,
    _: Reader,
    store: StoreDep,
    session: SessionDep,
    start: TimeQuery = None,
    end: TimeQuery = None,
    limit: Limit = 1000,
) -> list[ReceiptOut]:
    start_ms, end_ms = time_range(start, end, MAX_RANGE)
    rows = receipts.for_station(session, station_id, start_ms, end_ms, limit)
    if not rows:
        known_station(session, store, station_id)  # 404 for a station nobody knows
    return [receipt_out(r) for r in rows]


@router.get(
    "/notices/{notice_id}/receipts",
    tags=["notices"],
    summary="Which stations showed the notice, when, how long, in which language",
)
def notice_receipts(
    notice_id: IdInPath,
    _: Reader,
    session: SessionDep,
    start: TimeQuery = None,
    end: TimeQuery = None,
    version: CountInQuery = None,
    limit: Limit = 1000,
) -> list[ReceiptOut]:
    start_ms, end_ms = time_range(start, end, MAX_RANGE)
    rows = receipts.for_notice(session, notice_id, start_ms, end_ms, limit, version)
    if not rows and not receipts.notice_known(session, notice_id):
        raise HTTPException(404, f"お知らせ {notice_id!r} はありません / no notice {notice_id!r}")
    return [receipt_out(r) for r in rows]
