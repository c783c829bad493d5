"""The stations' verified place lists in the local state: the agent writes one per scope,
the kiosk reads them inside its snapshot transaction."""

import json
import sqlite3
from typing import Any

from localstate.model import PlaceListView


def write_places(conn: sqlite3.Connection, places: PlaceListView, now_ms: int) -> None:
    """Keep a scope's verified list; an empty one withdraws it."""
    if not places.places:
        conn.execute("DELETE FROM places WHERE list_id = ?", (places.list_id,))
        return
    conn.execute(
        "INSERT OR REPLACE INTO places VALUES (?, ?, ?, ?, ?)",
        (
            places.list_id,
            places.version,
            json.dumps(places.places, ensure_ascii=False),
            places.expires_at,
            now_ms,
        ),
    )


def read_place_lists(conn: sqlite3.Connection) -> list[PlaceListView]:
    rows = conn.execute(
        "SELECT list_id, version, places, expires_at FROM places ORDER BY list_id"
    ).fetchall()
    return [_place_list(row) for row in rows]


def _place_list(row: tuple[Any, ...]) -> PlaceListView:
    """A stored list; anything but a JSON array of objects reads as no places."""
    try:
        value = json.loads(row[2])
    except ValueError:
        value = []
    places = [p for p in value if isinstance(p, dict)] if isinstance(value, list) else []
    return PlaceListView(row[0], row[1], places, row[3])
