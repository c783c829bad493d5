"""What a station sends, for the console tests: status, telemetry and health payloads."""

import json
import time

from contract.levels import level_for


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def status(state: str = "online", session: int = 1, area: str = "naka") -> bytes:
    return json.dumps(
        {"v": 1, "state": state, "session": session, "ts": now_ms(), "area": area}
    ).encode()


_SEQ = {"n": 0}


def telemetry(*values: tuple[int, float, float, float], session: int = 1) -> bytes:
    """Readings as (ts, temp_c, rh, wbgt) tuples."""
    _SEQ["n"] += 1
    readings = [
        {"ts": ts, "temp_c": t, "rh": rh, "wbgt": w, "level": level_for(w).value, "quality": "ok"}
        for ts, t, rh, w in values
    ]
    body = {"v": 1, "session": session, "seq": _SEQ["n"], "readings": readings}
    return json.dumps(body).encode()


def health(outbox_depth: int = 0, **fields: object) -> bytes:
    body = {
        "v": 1,
        "ts": now_ms(),
        "session": 1,
        "version": "1.0",
        "uptime_s": 10.0,
        "outbox_depth": outbox_depth,
    } | fields
    return json.dumps(body).encode()


def topic(station: str, kind: str) -> str:
    return f"kyusui/v1/st/{station}/{kind}"
