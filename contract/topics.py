"""Topic builders and the one topic parser.

Station id = the station's broker username; ids and area names are lowercase ASCII
letters, digits and ``-`` (1–64 characters) so they are safe in topics, file names and URLs.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from contract.errors import ContractError

PREFIX = "kyusui/v1"
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class StationTopic(StrEnum):
    """Topics a station publishes under ``kyusui/v1/st/{id}/``."""

    TELEMETRY = "telemetry"
    HEALTH = "health"
    STATUS = "status"
    RECEIPTS = "receipts"
    CMD_RESULT = "cmd/result"


class ContentKind(StrEnum):
    """Signed content the server publishes to stations."""

    NOTICE = "notice"
    CONFIG = "config"
    ALERT = "alert"
    PLACES = "places"
    EMERGENCY = "emergency"
    FORECAST = "forecast"  # the official WBGT forecast (contract.forecast)


class Scope(StrEnum):
    STATION = "st"
    AREA = "area"
    ALL = "all"


def check_id(value: str, what: str = "station id") -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ContractError("id", f"{what} {value!r} must be 1–64 lowercase letters, digits or '-'")
    return value


def station_topic(station_id: str, kind: StationTopic) -> str:
    return f"{PREFIX}/st/{check_id(station_id)}/{kind.value}"


def command_topic(station_id: str) -> str:
    return f"{PREFIX}/st/{check_id(station_id)}/cmd"


def stored_topic(station_id: str) -> str:
    """Where the server confirms what it stored of a station's messages (server → station)."""
    return f"{PREFIX}/st/{check_id(station_id)}/stored"


def _scope_path(scope: Scope, name: str | None) -> str:
    if scope is Scope.ALL:
        return f"{PREFIX}/all"
    if name is None:
        raise ContractError("topic", f"scope {scope.value} needs a name")
    what = "area" if scope is Scope.AREA else "station id"
    return f"{PREFIX}/{scope.value}/{check_id(name, what)}"


def notice_topic(scope: Scope, name: str | None, notice_id: str) -> str:
    return f"{_scope_path(scope, name)}/notices/{check_id(notice_id, 'notice id')}"


IMAGE = "image"  # a notice's picture: raw bytes, trusted only by its signed SHA-256


def notice_image_topic(scope: Scope, name: str | None, notice_id: str) -> str:
    """Where a notice's picture is retained, beside the notice (same scope, same id)."""
    return f"{notice_topic(scope, name, notice_id)}/{IMAGE}"


def config_topic(scope: Scope, name: str | None) -> str:
    if scope is Scope.AREA:
        raise ContractError("topic", "config is sent to one station or to all")
    return f"{_scope_path(scope, name)}/config"


def places_topic(scope: Scope, name: str | None) -> str:
    return f"{_scope_path(scope, name)}/places"


def alert_topic() -> str:
    return f"{PREFIX}/all/alert"


def emergency_topic(area: str | None) -> str:
    """Disaster mode (避難所開設情報) for every station (``area`` None) or one area."""
    return f"{_scope_path(Scope.ALL if area is None else Scope.AREA, area)}/emergency"


def forecast_topic() -> str:
    return f"{PREFIX}/all/forecast"


def ingest_subscriptions(group: str = "ingest") -> list[str]:
    """Shared subscriptions an ingest worker takes: every station's uplink."""
    return [
        f"$share/{group}/{PREFIX}/st/+/{kind.value}"
        for kind in (
            StationTopic.TELEMETRY,
            StationTopic.HEALTH,
            StationTopic.STATUS,
            StationTopic.RECEIPTS,
            StationTopic.CMD_RESULT,
        )
    ]


def station_subscriptions(station_id: str, area: str | None) -> list[str]:
    """What a station subscribes to: its own, its area's and everyone's content."""
    own = f"{PREFIX}/st/{check_id(station_id)}"
    topics = [
        f"{own}/notices/+",
        f"{own}/notices/+/{IMAGE}",
        f"{own}/config",
        f"{own}/places",
        f"{own}/cmd",
        f"{own}/stored",
        f"{PREFIX}/all/notices/+",
        f"{PREFIX}/all/notices/+/{IMAGE}",
        f"{PREFIX}/all/config",
        f"{PREFIX}/all/places",
        alert_topic(),
        emergency_topic(None),
        forecast_topic(),
    ]
    if area is not None:
        topics.append(f"{PREFIX}/area/{check_id(area, 'area')}/notices/+")
        topics.append(f"{PREFIX}/area/{check_id(area, 'area')}/places")
        topics.append(f"{PREFIX}/area/{check_id(area, 'area')}/notices/+/{IMAGE}")
        topics.append(emergency_topic(area))
    return topics


@dataclass(frozen=True, slots=True)
class ParsedTopic:
    scope: Scope
    name: str | None  # station id or area; None for ``all``
    kind: str  # a StationTopic value, "cmd", "stored", IMAGE, or a ContentKind value
    notice_id: str | None = None

    @property
    def station_id(self) -> str | None:
        return self.name if self.scope is Scope.STATION else None


def parse_topic(topic: str) -> ParsedTopic:
    """Parse any topic of the contract; raise ContractError for anything else."""
    parts = topic.split("/")
    if len(parts) < 3 or "/".join(parts[:2]) != PREFIX:
        raise ContractError("topic", f"{topic!r} is not under {PREFIX}/")
    rest = parts[2:]
    try:
        scope = Scope(rest[0])
    except ValueError:
        raise ContractError("topic", f"{topic!r}: unknown scope {rest[0]!r}") from None
    if scope is Scope.ALL:
        name, tail = None, rest[1:]
    else:
        if len(rest) < 3:
            raise ContractError("topic", f"{topic!r} is too short")
        name, tail = check_id(rest[1], "area" if scope is Scope.AREA else "station id"), rest[2:]
    joined = "/".join(tail)
    if len(tail) == 2 and tail[0] == "notices":
        return ParsedTopic(scope, name, ContentKind.NOTICE.value, check_id(tail[1], "notice id"))
    if len(tail) == 3 and tail[0] == "notices" and tail[2] == IMAGE:
        return ParsedTopic(scope, name, IMAGE, check_id(tail[1], "notice id"))
    if joined == "config" and scope is not Scope.AREA:
        return ParsedTopic(scope, name, ContentKind.CONFIG.value)
    if joined == "places":
        return ParsedTopic(scope, name, ContentKind.PLACES.value)
    if joined == "alert" and scope is Scope.ALL:
        return ParsedTopic(scope, name, ContentKind.ALERT.value)
    if joined == "emergency" and scope is not Scope.STATION:
        return ParsedTopic(scope, name, ContentKind.EMERGENCY.value)
    if joined == "forecast" and scope is Scope.ALL:
        return ParsedTopic(scope, name, ContentKind.FORECAST.value)
    if scope is Scope.STATION and joined in {k.value for k in StationTopic} | {"cmd", "stored"}:
        return ParsedTopic(scope, name, joined)
    raise ContractError("topic", f"{topic!r}: unknown message kind {joined!r}")
