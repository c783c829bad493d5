"""The fleet view: registry entries joined with the latest time-series state. No I/O."""

from server.api.schemas import ReadingOut, StationOut, jst_or_none
from server.registry.models import EnrolmentState, Exposure, Station
from server.store.base import HealthSample, LatestState

HELD_BACK_REASON = (
    "局の時計が同期していないため、測定値は局で保留されています (NTP を確認)"
    " / the station's clock is not synchronised, so it holds its readings back (check NTP)"
)
# A station whose newest reading is younger than this is plainly not holding anything back.
RECENT_READING_MS = 120_000


def may_be_held_back(state: LatestState, now_ms: int, offline_after_s: int) -> bool:
    """Worth asking its health: online, and no reading recently."""
    fresh = state.latest is not None and now_ms - state.latest.ts <= RECENT_READING_MS
    return is_online(state, now_ms, offline_after_s) and not fresh


def is_held_back(state: LatestState, health: HealthSample | None) -> bool:
    """The newest health says the clock is unsynchronised and no newer reading arrived."""
    if health is None or health.fields.get("clock_synced", 1.0) != 0.0:
        return False
    return state.latest is None or state.latest.ts < health.ts


def is_online(state: LatestState | None, now_ms: int, offline_after_s: int) -> bool:
    """Online = the last status was not "offline" and something arrived recently."""
    if state is None or state.last_seen_ms is None or state.online is False:
        return False
    return now_ms - state.last_seen_ms <= offline_after_s * 1000


def station_out(
    station: Station | None,
    state: LatestState | None,
    now_ms: int,
    offline_after_s: int,
    held_back: bool = False,
) -> StationOut:
    sid = station.id if station is not None else state.station if state is not None else ""
    latest = None if state is None or state.latest is None else ReadingOut.of(state.latest)
    common = {
        "id": sid,
        "last_seen": None if state is None else jst_or_none(state.last_seen_ms),
        "online": is_online(state, now_ms, offline_after_s),
        "session": None if state is None else state.session,
        "latest": latest,
        "held_back": held_back,
        "held_back_reason": HELD_BACK_REASON if held_back else None,
    }
    if station is None:
        return StationOut(name=sid, **common)
    return StationOut(
        name=station.name_ja or sid,
        name_ja=station.name_ja,
        name_en=station.name_en,
        names=dict(station.names or {}),
        state=EnrolmentState(station.state),
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
    held_back: frozenset[str] = frozenset(),
) -> list[StationOut]:
    """Every registered station plus any station that reported without being registered."""
    by_id = {s.station: s for s in states}
    registered = {s.id: s for s in stations}
    out = []
    for sid in sorted(registered.keys() | by_id.keys()):
        station = registered.get(sid)
        if station is not None and station.state == EnrolmentState.RETIRED and not include_retired:
            continue
        out.append(station_out(station, by_id.get(sid), now_ms, offline_after_s, sid in held_back))
    return out
