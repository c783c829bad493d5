"""Writing the station's local state the way the agent does, from a short description.

A spec is a dict; every key is optional and replaces that part of the state:
``station``: [id, name_ja, name_en, optional {lang: name}]; ``reading``: {wbgt, temp_c, rh,
level, quality, age_s} or None (nothing measured yet); ``agent``: {sensor, network};
``notices``: a list of {id, version, priority, title, body, starts_in_s, ends_in_s, image}
(image: the ImageView fields);
``alert``: {alert, forecast_wbgt, message} or None; ``display``: {on_start, on_end, stale_after_s};
``history``: a list of WBGT values spread over the last 24 h; ``motion_age_s``;
``site``: [latitude, longitude, address]; ``places``: {list id: [contract.places.Place as JSON]};
``emergencies``: a list of {id, version, area, message, shelters: [{name, address}]}
(disaster mode in force; the list replaces what there was).
"""

import sqlite3
from pathlib import Path
from typing import Any

from contract.levels import level_for
from localstate import (
    AlertView,
    DisplaySchedule,
    EmergencyView,
    ImageView,
    LocalState,
    NoticeView,
    PlaceListView,
    ReadingView,
    ShelterView,
    Site,
    open_local_state,
)
from localstate.db import FILE_NAME

STATION = ("yokohama-naka-01", "中区 日本大通り給水所", "Naka Nihon-odori water station")


def open_state(state_dir: Path) -> LocalState:
    return open_local_state(state_dir).state


def apply(state: LocalState, spec: dict[str, Any], now_ms: int) -> None:
    if "station" in spec:
        sid, name_ja, name_en, *names = spec["station"]
        state.set_station(sid, name_ja, name_en, "naka", names[0] if names else None)
    if "display" in spec:
        state.set_display(DisplaySchedule(**spec["display"]))
    if "history" in spec:
        values: list[float] = spec["history"]
        step = 86_400_000 // max(len(values), 1)
        for i, wbgt in enumerate(values):
            ts = now_ms - 86_400_000 + (i + 1) * step - 60_000
            state.write_reading(
                ReadingView(ts, None, None, wbgt, level_for(wbgt).value, "ok", "synced")
            )
    if "reading" in spec:
        r = spec["reading"]
        if r is None:
            state.conn.execute("DELETE FROM latest_reading")
        else:
            wbgt = r.get("wbgt")
            level = r.get("level", level_for(wbgt).value if wbgt is not None else None)
            state.write_reading(
                ReadingView(
                    now_ms - int(r.get("age_s", 30) * 1000),
                    r.get("temp_c", 30.0 if wbgt is not None else None),
                    r.get("rh", 60.0 if wbgt is not None else None),
                    wbgt,
                    level,
                    r.get("quality", "ok" if wbgt is not None else "fault"),
                    "synced",
                )
            )
    if "agent" in spec:
        a = spec["agent"]
        state.write_agent_status(a.get("sensor", "ok"), a.get("network", "online"))
    if "notices" in spec:
        state.conn.execute("DELETE FROM notices")
        for n in spec["notices"]:
            starts, ends = n.get("starts_in_s"), n.get("ends_in_s")
            state.upsert_notice(
                NoticeView(
                    n["id"],
                    n.get("version", 1),
                    n.get("priority", "normal"),
                    n["title"],
                    n.get("body", {}),
                    None if starts is None else now_ms + int(starts * 1000),
                    None if ends is None else now_ms + int(ends * 1000),
                    None,
                    ImageView(**n["image"]) if "image" in n else None,
                )
            )
    if "alert" in spec:
        a = spec["alert"]
        if a is None:
            state.set_alert(None)
        else:
            expires_in = a.get("expires_in_s")
            expires_at = None if expires_in is None else now_ms + int(expires_in * 1000)
            message = a.get("message", {})
            state.set_alert(
                AlertView(a["alert"], 1, a.get("forecast_wbgt"), None, message, expires_at)
            )
    if "site" in spec:
        state.set_site(Site(*spec["site"]))
    if "places" in spec:
        state.conn.execute("DELETE FROM places")
        for version, (list_id, places) in enumerate(spec["places"].items(), start=1):
            state.set_places(PlaceListView(list_id, version, places, None))
    if "emergencies" in spec:
        state.conn.execute("DELETE FROM emergencies")
        for e in spec["emergencies"]:
            shelters = tuple(
                ShelterView(sh["name"], sh.get("address", {})) for sh in e.get("shelters", [])
            )
            state.set_emergency(
                EmergencyView(
                    e["id"],
                    e.get("version", 1),
                    e.get("area"),
                    e["message"],
                    shelters,
                    now_ms,
                    None,
                )
            )
    if "motion_age_s" in spec:
        state.set_presence(now_ms - int(spec["motion_age_s"] * 1000))


def remove_state(state_dir: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (state_dir / (FILE_NAME + suffix)).unlink(missing_ok=True)


BEFORE_CORRUPTION = "before-corruption.sqlite"


def corrupt_state(state_dir: Path) -> None:
    """Replace the file with garbage, keeping a copy so tests can still read what was in it."""
    current = state_dir / FILE_NAME
    if current.exists():
        source = sqlite3.connect(current)
        copy = sqlite3.connect(state_dir / BEFORE_CORRUPTION)
        source.backup(copy)
        source.close()
        copy.close()
    remove_state(state_dir)
    (state_dir / FILE_NAME).write_bytes(b"this is not a database\n" * 200)
