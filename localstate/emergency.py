"""Disaster mode in the local state: the agent writes each verified scope's message and
shelters, the kiosk reads them inside its snapshot transaction, every station first."""

import json
import sqlite3
from typing import Any

from localstate.model import EmergencyView, ShelterView


def write_emergency(conn: sqlite3.Connection, emergency: EmergencyView) -> None:
    shelters = [{"name": sh.name, "address": sh.address} for sh in emergency.shelters]
    conn.execute(
        "INSERT OR REPLACE INTO emergencies VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            emergency.emergency_id,
            emergency.version,
            emergency.area,
            json.dumps(emergency.message, ensure_ascii=False),
            json.dumps(shelters, ensure_ascii=False),
            emergency.issued_at,
            emergency.expires_at,
        ),
    )


def read_emergencies(conn: sqlite3.Connection) -> tuple[EmergencyView, ...]:
    rows = conn.execute(
        "SELECT emergency_id, version, area, message, shelters, issued_at, expires_at"
        " FROM emergencies ORDER BY area IS NOT NULL, area"
    ).fetchall()
    return tuple(_emergency(row) for row in rows)


def _emergency(row: tuple[Any, ...]) -> EmergencyView:
    shelters = tuple(
        ShelterView(dict(sh.get("name") or {}), dict(sh.get("address") or {}))
        for sh in json.loads(row[4])
    )
    return EmergencyView(row[0], row[1], row[2], json.loads(row[3]), shelters, row[5], row[6])
