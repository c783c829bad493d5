"""Hypothesis strategies for every message of the contract, within the contract's limits."""

from datetime import date
from typing import Any

from hypothesis import strategies as st

from contract.content import AlertKind, HeatAlert, Notice, NoticePriority, StationConfig, TimeWindow
from contract.levels import Level
from contract.messages import (
    ID_PATTERN,
    MAX_SAFE_INTEGER,
    Command,
    CommandName,
    CommandResult,
    Health,
    Interaction,
    Quality,
    Reading,
    Receipt,
    Receipts,
    StationState,
    Status,
    Telemetry,
    TimeSource,
)

ids = st.from_regex(ID_PATTERN, fullmatch=True)
epoch_ms = st.integers(0, 32_503_680_000_000)
counts = st.integers(0, MAX_SAFE_INTEGER)
short_text = st.text(max_size=32)


def floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def readings(draw: st.DrawFn) -> Reading:
    ts, time = draw(epoch_ms), draw(st.sampled_from(TimeSource))
    if draw(st.booleans()):
        return Reading(ts=ts, quality=Quality.FAULT, time=time)
    return Reading(
        ts=ts,
        temp_c=draw(floats(-40, 80)),
        rh=draw(floats(0, 100)),
        wbgt=draw(floats(-50, 80)),
        level=draw(st.sampled_from(Level)),
        quality=draw(st.sampled_from([Quality.OK, Quality.EXTRAPOLATED])),
        time=time,
    )


telemetry = st.builds(
    Telemetry,
    session=counts,
    seq=counts,
    readings=st.lists(readings(), min_size=1, max_size=5),
)

health = st.builds(
    Health,
    ts=epoch_ms,
    session=counts,
    version=st.text(max_size=64),
    uptime_s=floats(0, 1e9),
    cpu_temp_c=st.none() | floats(-40, 120),
    load_1m=st.none() | floats(0, 64),
    mem_used_pct=st.none() | floats(0, 100),
    disk_used_pct=st.none() | floats(0, 100),
    disk_free_mb=st.none() | floats(0, 1e7),
    wifi_rssi_dbm=st.none() | floats(-120, 0),
    undervoltage=st.none() | st.booleans(),
    throttled=st.none() | st.booleans(),
    outbox_depth=counts,
    outbox_evicted=counts,
    sensor_errors=st.dictionaries(st.text(max_size=32), counts, max_size=4),
    sensor_state=st.text(max_size=32),
    clock_synced=st.booleans(),
    content_rejected=st.dictionaries(st.text(max_size=32), counts, max_size=4),
    display_state=st.none() | st.text(max_size=32),
    local_state_rebuilt=counts,
)

status = st.builds(
    Status,
    state=st.sampled_from(StationState),
    session=counts,
    ts=st.none() | epoch_ms,
    version=st.none() | st.text(max_size=64),
    area=st.none() | st.text(max_size=64),
    clean=st.none() | st.booleans(),
)

receipts = st.builds(
    Receipts,
    session=counts,
    seq=counts,
    receipts=st.lists(
        st.builds(
            Receipt,
            notice_id=ids,
            version=counts,
            shown_at=epoch_ms,
            duration_s=floats(0, 86_400),
            lang=st.text(max_size=16),
        ),
        min_size=1,
        max_size=5,
    ),
    interactions=st.lists(
        st.builds(
            Interaction,
            ts=epoch_ms,
            kind=st.from_regex(r"^[a-z][a-z_]{0,31}$", fullmatch=True),
            detail=st.text(max_size=64),
        ),
        max_size=3,
    ),
)

arg_values = (
    short_text
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
)
commands = st.builds(
    Command,
    cmd_id=st.text(min_size=1, max_size=64),
    name=st.sampled_from(CommandName),
    issued_at=epoch_ms,
    expires_at=epoch_ms,
    args=st.dictionaries(st.text(max_size=64), arg_values, max_size=4),
)

command_results = st.builds(
    CommandResult,
    cmd_id=st.text(min_size=1, max_size=64),
    ok=st.booleans(),
    detail=st.text(max_size=200),
    png_base64=st.none() | st.from_regex(r"[A-Za-z0-9+/]{0,64}={0,2}", fullmatch=True),
)

lang_tags = st.from_regex(r"[a-z]{2,3}(-[A-Za-z]{2,8})?", fullmatch=True)


@st.composite
def lang_text(draw: st.DrawFn) -> dict[str, str]:
    others = draw(st.dictionaries(lang_tags, st.text(max_size=40), max_size=3))
    return {"ja": draw(st.text(min_size=1, max_size=40))} | others


@st.composite
def notices(draw: st.DrawFn) -> Notice:
    starts = draw(st.none() | st.integers(0, 32_000_000_000_000))
    ends = None if starts is None else draw(st.none() | st.integers(starts + 1, starts + 10**9))
    withdrawn = draw(st.booleans())
    return Notice(
        id=draw(ids),
        version=draw(st.integers(1, MAX_SAFE_INTEGER)),
        issued_at=draw(epoch_ms),
        expires_at=draw(st.none() | epoch_ms),
        withdrawn=withdrawn,
        priority=draw(st.sampled_from(NoticePriority)),
        title=draw(st.none() if withdrawn else lang_text()),
        body=draw(st.none() | lang_text()),
        starts_at=starts,
        ends_at=ends,
    )


hour_minutes = st.from_regex(r"([01][0-9]|2[0-3]):[0-5][0-9]", fullmatch=True)
windows = st.builds(TimeWindow, start=hour_minutes, end=hour_minutes)

configs = st.builds(
    StationConfig,
    id=ids,
    version=st.integers(1, MAX_SAFE_INTEGER),
    issued_at=epoch_ms,
    expires_at=st.none() | epoch_ms,
    reading_interval_s=st.none() | st.integers(10, 3600),
    health_interval_s=st.none() | st.integers(30, 86_400),
    hysteresis_c=st.none() | floats(0, 3),
    display_on=st.none() | windows,
    quiet_hours=st.none() | windows,
    stale_after_s=st.none() | st.integers(60, 86_400),
    beacon_level=st.none() | st.text(max_size=32),
)

alerts = st.builds(
    HeatAlert,
    id=ids,
    version=st.integers(1, MAX_SAFE_INTEGER),
    issued_at=epoch_ms,
    expires_at=st.none() | epoch_ms,
    alert=st.sampled_from(AlertKind),
    area=st.none() | st.text(max_size=64),
    forecast_wbgt=st.none() | floats(0, 60),
    valid_on=st.none() | st.dates(min_value=date(1000, 1, 1)).map(date.isoformat),
    message=st.none() | lang_text(),
)

# Any JSON value, as json.loads could produce it.
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
