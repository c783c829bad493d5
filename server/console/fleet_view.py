"""The fleet table's rows: flags, worst-first order and filters. Pure logic, no I/O."""

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


def _worst_key(row: Row) -> tuple[int, int, float, str]:
    rank = -1 if row.level is None else row.level.level.rank
    wbgt = row.station.latest.wbgt if row.station.latest and row.station.latest.wbgt else -99.0
    # Most dangerous first; among equals, a station that is offline or flagged first.
    trouble = 0 if (not row.station.online or row.flags) else 1
    return (-rank, trouble, -wbgt, row.id)


def _matches(row: Row, query: FleetQuery) -> bool:
    if query.area and (row.station.area or "") != query.area:
        return False
    if query.level:
        have = "none" if row.level is None else row.level.level.value
        if have != query.level:
            return False
    if query.state == StateFilter.ONLINE and not row.station.online:
        return False
    if query.state == StateFilter.OFFLINE and row.station.online:
        return False
    return not (query.state == StateFilter.FLAGGED and not row.flags)


def select_rows(rows: list[Row], query: FleetQuery) -> list[Row]:
    chosen = [r for r in rows if _matches(r, query)]
    if query.sort is Sort.NAME:
        return sorted(chosen, key=lambda r: (r.station.name, r.id))
    if query.sort is Sort.AREA:
        return sorted(chosen, key=lambda r: (r.station.area or "\uffff", *_worst_key(r)))
    if query.sort is Sort.WBGT:
        return sorted(chosen, key=lambda r: _worst_key(r)[2:])
    if query.sort is Sort.AGE:
        return sorted(chosen, key=lambda r: (r.reading_ms or 0, r.id))
    return sorted(chosen, key=_worst_key)


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


def areas_of(rows: list[Row]) -> list[str]:
    return sorted({r.station.area for r in rows if r.station.area})


def counts_by_level(rows: list[Row]) -> dict[str, int]:
    counts = {lv.value: 0 for lv in reversed(ordered_levels())} | {"none": 0}
    for row in rows:
        counts["none" if row.level is None else row.level.level.value] += 1
    return counts


LEVEL_ORDER: tuple[Level, ...] = tuple(reversed(ordered_levels()))
