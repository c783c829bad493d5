"""A station's row as the console shows it (its flags), and the fleet page's query. Pure logic,
no I/O. The fleet page orders and filters its rows in the browser (static/fleet-rows.js)."""

from dataclasses import dataclass
from enum import StrEnum

from contract.levels import Level, LevelInfo, ordered_levels
from contract.messages import Quality, TimeSource
from server.api.schemas import StationOut


class Flag(StrEnum):
    HELD_BACK = "held_back"  # reports, but keeps its readings until its clock is synchronised
    FAULT = "fault"
    STALE = "stale"
    UNSYNCED = "unsynced"
    EXTRAPOLATED = "extrapolated"


class StateFilter(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    FLAGGED = "flagged"


class Sort(StrEnum):
    WORST = "worst"
    NAME = "name"
    AREA = "area"
    WBGT = "wbgt"
    AGE = "age"


@dataclass(frozen=True, slots=True)
class Row:
    station: StationOut
    level: LevelInfo | None
    reading_ms: int | None
    flags: tuple[Flag, ...]
    outbox_depth: int | None

    @property
    def id(self) -> str:
        return self.station.id


@dataclass(frozen=True, slots=True)
class FleetQuery:
    area: str = ""
    level: str = ""  # a Level value, "none" for no level yet, "" for all
    state: str = ""  # a StateFilter value or ""
    sort: Sort = Sort.WORST
    all: bool = False  # every row, not only the first page


def flags_of(station: StationOut, now_ms: int, stale_after_s: int) -> tuple[Flag, ...]:
    latest = station.latest
    held = (Flag.HELD_BACK,) if station.held_back else ()
    if latest is None:
        return held
    flags: list[Flag] = list(held)
    if latest.quality is Quality.FAULT:
        flags.append(Flag.FAULT)
    if now_ms - int(latest.time.timestamp() * 1000) > stale_after_s * 1000:
        flags.append(Flag.STALE)
    if latest.time_source is TimeSource.UNSYNCED:
        flags.append(Flag.UNSYNCED)
    if latest.quality is Quality.EXTRAPOLATED:
        flags.append(Flag.EXTRAPOLATED)
    return tuple(flags)


def row_of(station: StationOut, outbox_depth: int | None, now_ms: int, stale_after_s: int) -> Row:
    latest = station.latest
    level = None if latest is None or latest.level is None else latest.level.info
    reading_ms = None if latest is None else int(latest.time.timestamp() * 1000)
    return Row(station, level, reading_ms, flags_of(station, now_ms, stale_after_s), outbox_depth)


def parse_query(area: str, level: str, state: str, sort: str, all: bool = False) -> FleetQuery:
    """Unknown values are dropped, so a hand-edited URL still shows the fleet."""
    levels = {lv.value for lv in ordered_levels()} | {"none"}
    return FleetQuery(
        area=area[:64],
        level=level if level in levels else "",
        state=state if state in {s.value for s in StateFilter} else "",
        sort=Sort(sort) if sort in {s.value for s in Sort} else Sort.WORST,
        all=all,
    )


LEVEL_ORDER: tuple[Level, ...] = tuple(reversed(ordered_levels()))
