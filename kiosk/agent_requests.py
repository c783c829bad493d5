"""Requests the agent leaves for the kiosk in ``kiosk_requests``, and their answers.

Today there is one: ``screenshot`` — write a PNG of what the screen shows and say where.
Anything else is answered as not understood rather than left pending forever.
"""

import time
from dataclasses import dataclass

from sensors.localstate import LocalState

KNOWN = frozenset({"screenshot"})


@dataclass(frozen=True, slots=True)
class KioskRequest:
    request_id: str
    name: str


def pending(state: LocalState) -> list[KioskRequest]:
    rows = state.conn.execute(
        "SELECT request_id, name FROM kiosk_requests WHERE done_at IS NULL ORDER BY requested_at"
    ).fetchall()
    return [KioskRequest(str(r[0]), str(r[1])) for r in rows]


def answer(
    state: LocalState, request_id: str, ok: bool, result_path: str | None, detail: str = ""
) -> None:
    state.conn.execute(
        "UPDATE kiosk_requests SET done_at = ?, ok = ?, result_path = ?, detail = ?"
        " WHERE request_id = ?",
        (time.time_ns() // 1_000_000, int(ok), result_path, detail, request_id),
    )


def safe_request_id(request_id: str) -> str:
    """A file name from a request id, whatever the id contains."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in request_id)[:64]
    return cleaned or "request"


__all__ = ["KNOWN", "KioskRequest", "answer", "pending", "safe_request_id"]
