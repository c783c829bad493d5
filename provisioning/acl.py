"""The broker's access control, as Mosquitto ``acl_file`` text.

A station publishes only its own uplink topics and reads its own, its area's and the
``all`` content; only the server account publishes content. ``%u`` is the username,
which is the station id.
"""

from collections.abc import Mapping

STATION_PATTERNS = (
    "pattern write kyusui/v1/st/%u/telemetry",
    "pattern write kyusui/v1/st/%u/health",
    "pattern write kyusui/v1/st/%u/status",
    "pattern write kyusui/v1/st/%u/receipts",
    "pattern write kyusui/v1/st/%u/cmd/result",
    "pattern read kyusui/v1/st/%u/#",
    "pattern read kyusui/v1/all/#",
)


def station_area_rule(station_id: str, area: str) -> str:
    return f"user {station_id}\ntopic read kyusui/v1/area/{area}/#\n"


def acl_file(server_user: str, station_areas: Mapping[str, str | None]) -> str:
    parts = [f"user {server_user}\ntopic readwrite kyusui/v1/#\ntopic readwrite $share/#\n"]
    parts += [station_area_rule(s, a) for s, a in station_areas.items() if a]
    parts.append("\n".join(STATION_PATTERNS) + "\n")
    return "\n".join(parts)
