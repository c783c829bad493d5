"""Response bodies of the API. Times are ISO 8601 in JST (+09:00)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from contract.levels import Level
from contract.messages import Quality, Reading, TimeSource

JST = ZoneInfo("Asia/Tokyo")


def jst(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=JST)


class ReadingOut(BaseModel):
    time: datetime
    temp_c: float | None
    rh: float | None
    wbgt: float | None
    level: Level | None
    quality: Quality
    time_source: TimeSource

    @classmethod
    def of(cls, reading: Reading) -> "ReadingOut":
        return cls(
            time=jst(reading.ts),
            temp_c=reading.temp_c,
            rh=reading.rh,
            wbgt=reading.wbgt,
            level=reading.level,
            quality=reading.quality,
            time_source=reading.time,
        )


class StationOut(BaseModel):
    id: str
    name: str
    last_seen: datetime | None
    online: bool
    latest: ReadingOut | None


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody
