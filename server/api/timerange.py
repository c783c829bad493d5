"""Time ranges in query strings: ISO 8601, read as JST without an offset, bounded."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import HTTPException, Query

from server.api.schemas import JST
from server.registry.db import now_ms

TimeQuery = Annotated[datetime | None, Query(description="ISO 8601; JST if no offset")]


def to_ms(value: datetime) -> int:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=JST)
    return int(aware.timestamp() * 1000)


def time_range(start: datetime | None, end: datetime | None, limit: timedelta) -> tuple[int, int]:
    """[start, end) in epoch ms; by default the last 24 hours; 422 if longer than ``limit``."""
    end_ms = to_ms(end) if end else now_ms()
    start_ms = to_ms(start) if start else end_ms - 86_400_000
    if start_ms >= end_ms:
        raise HTTPException(422, "start は end より前にしてください / start must be before end")
    if end_ms - start_ms > limit.total_seconds() * 1000:
        raise HTTPException(
            422, f"1 回に {limit.days} 日まで / at most {limit.days} days per request"
        )
    return start_ms, end_ms
