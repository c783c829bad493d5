"""Time ranges in query strings: ISO 8601, read as JST without an offset, bounded."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import HTTPException, Query

from server.api.schemas import ApiTime, to_ms
from server.registry.db import now_ms

TimeQuery = Annotated[ApiTime | None, Query(description="ISO 8601; JST if no offset")]
__all__ = ["TimeQuery", "time_range", "to_ms"]


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
