"""Small builders shared by the server tests."""

import json
import time

from contract.levels import level_for
from contract.messages import Reading


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def reading(ts: int, temp_c: float = 30.0, rh: float = 60.0, wbgt: float = 26.0) -> Reading:
    return Reading(ts=ts, temp_c=temp_c, rh=rh, wbgt=wbgt, level=level_for(wbgt))


def telemetry(seq: int, *readings: Reading, session: int = 1) -> bytes:
    body = {
        "v": 1,
        "session": session,
        "seq": seq,
        "readings": [r.model_dump(mode="json", exclude_none=True) for r in readings],
    }
    return json.dumps(body).encode()


def status(state: str = "online", session: int = 1, area: str | None = "naka") -> bytes:
    body: dict[str, object] = {"v": 1, "state": state, "session": session, "ts": now_ms()}
    if area:
        body["area"] = area
    return json.dumps(body).encode()


def health(**fields: object) -> bytes:
    body = {"v": 1, "ts": now_ms(), "session": 1, "version": "1.0", "uptime_s": 10.0} | fields
    return json.dumps(body).encode()


def receipt(
    notice_id: str, shown_at: int, version: int = 1, duration_s: float = 12.0, lang: str = "ja"
) -> dict[str, object]:
    return {
        "notice_id": notice_id,
        "version": version,
        "shown_at": shown_at,
        "duration_s": duration_s,
        "lang": lang,
    }


def receipts(seq: int, *items: dict[str, object], session: int = 1) -> bytes:
    body = {"v": 1, "session": session, "seq": seq, "receipts": list(items)}
    return json.dumps(body).encode()
