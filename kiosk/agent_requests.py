"""What the kiosk understands of the requests the agent leaves it (read and answered through
``LocalState.pending_kiosk_requests`` and ``answer_kiosk_request``).

Today there is one: ``screenshot`` — write a PNG of what the screen shows and say where.
Anything else is answered as not understood rather than left pending forever.
"""

import logging
from pathlib import Path

from localstate import LocalState

log = logging.getLogger("kyusui.kiosk")
KNOWN = frozenset({"screenshot"})


def safe_request_id(request_id: str) -> str:
    """A file name from a request id, whatever the id contains."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in request_id)[:64]
    return cleaned or "request"


def answer_screenshot(state: LocalState | None, request_id: str, path: Path | None) -> None:
    """Tells the agent where the screenshot is, or that it could not be written."""
    if state is None:
        return
    try:
        state.answer_kiosk_request(
            request_id,
            path is not None,
            str(path) if path else None,
            "" if path else "could not write the screenshot",
        )
    except Exception:  # a broken table must not stop the screen
        log.exception("screenshot request %s could not be answered", request_id)


__all__ = ["KNOWN", "answer_screenshot", "safe_request_id"]
