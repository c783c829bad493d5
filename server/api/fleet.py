"""The fleet view: registry entries joined with the latest time-series state. No I/O."""

from server.api.schemas import ReadingOut, StationOut, jst_or_none
from server.registry.models import Exposure, Station, StationState
from server.store.base import LatestState


def is_online(state: LatestState | None, now_ms: int, offline_after_s: int) -> bool:
    """Online = the last status was not "offline" and something arrived recently."""
    if state is None or state.last_seen_ms is None or state.online is False:
        return False
    return now_ms - state.last_seen_ms <= offline_after_s * 1000


def station_out(
    station: Station | None, state: LatestState | None, now_ms: int, offline_after_s: int
) -> StationOut:
    sid = station.id if station is not None else state.station if state is not None else ""
    latest = None if state is None or state.latest is None else ReadingOut.of(state.latest)
    common = {
        "id": sid,
        "last_seen": None if state is None else jst_or_none(state.last_seen_ms),
        "online": is_online(state, now_ms, offline_after_s),
        "session": None if state is None else state.session,
        "latest": latest,
    }
    if station is None:
        return StationOut(name=sid, **common)
    return StationOut(
        name=station.name_ja or sid,
        name_ja=station.name_ja,
        name_en=station.name_en,
        names=dict(station.names or {}),
        state=StationState(station.state),
        area=station.area_id,
        address=station.address,
        latitude=station.latitude,
        longitude=station.longitude,
        exposure=Exposure(station.exposure),
        installed_at=jst_or_none(station.installed_at),
        retired_at=jst_or_none(station.retired_at),
        **common,
    )


def merge(
    stations: list[Station],
    states: list[LatestState],
    now_ms: int,
    offline_after_s: int,
    include_retired: bool = False,
) -> list[StationOut]:
    """Every registered station plus any station that reported without being registered."""
    by_id = {s.station: s for s in states}
    registered = {s.id: s for s in stations}
    out = []
    for sid in sorted(registered.keys() | by_id.keys()):
        station = registered.get(sid)
        if station is not None and station.state == StationState.RETIRED and not include_retired:
            continue
        out.append(station_out(station, by_id.get(sid), now_ms, offline_after_s))
    return out
