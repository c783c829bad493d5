"""What the kiosk understands of the requests the agent leaves it (read and answered through
``LocalState.pending_kiosk_requests`` and ``answer_kiosk_request``).

Today there is one: ``screenshot`` — write a PNG of what the screen shows and say where.
Anything else is answered as not understood rather than left pending forever.
"""

KNOWN = frozenset({"screenshot"})


def safe_request_id(request_id: str) -> str:
    """A file name from a request id, whatever the id contains."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in request_id)[:64]
    return cleaned or "request"


__all__ = ["KNOWN", "safe_request_id"]
