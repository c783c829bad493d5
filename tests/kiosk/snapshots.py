"""A snapshot of the local state as the kiosk reads it, for the tests that need no window."""

from localstate import ReadingView, Snapshot

NOW = 1_785_000_000_000  # a summer night: 2026-07-26 02:20 JST


def snapshot(**changes: object) -> Snapshot:
    """A station that read 危険-close heat half a minute ago, with ``changes`` applied."""
    base: dict[str, object] = {
        "station_id": "st",
        "name_ja": "中区給水所",
        "name_en": "Naka water station",
        "latest": ReadingView(NOW - 30_000, 33.0, 60.0, 29.0, "severe_warning", "ok", "synced"),
        "sensor": "ok",
        "network": "online",
        "agent_heartbeat_at": NOW - 5_000,
    }
    return Snapshot(**(base | changes))  # type: ignore[arg-type]
