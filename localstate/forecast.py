"""The official forecast's row in the local state: the agent writes it, the kiosk reads it
inside its snapshot transaction."""

import json
import sqlite3

from localstate.model import ForecastView

_COLUMNS = "version, point, made_at, days, attribution, expires_at"


def write_forecast(conn: sqlite3.Connection, forecast: ForecastView | None) -> None:
    if forecast is None:
        conn.execute("DELETE FROM official_forecast")
        return
    conn.execute(
        f"INSERT OR REPLACE INTO official_forecast (id, {_COLUMNS}) VALUES (1, ?, ?, ?, ?, ?, ?)",
        (
            forecast.version,
            forecast.point,
            forecast.made_at,
            json.dumps(forecast.days, ensure_ascii=False),
            json.dumps(forecast.attribution, ensure_ascii=False),
            forecast.expires_at,
        ),
    )


def read_forecast(conn: sqlite3.Connection) -> ForecastView | None:
    try:
        row = conn.execute(f"SELECT {_COLUMNS} FROM official_forecast").fetchone()
    except sqlite3.OperationalError:
        return None  # a file from before the table, until the agent rebuilds it
    if row is None:
        return None
    try:
        days, attribution = json.loads(row[3]), json.loads(row[4])
    except ValueError:
        return None
    if not isinstance(days, dict) or not isinstance(attribution, dict):
        return None
    return ForecastView(
        version=row[0],
        point=row[1],
        made_at=row[2],
        days={str(k): float(v) for k, v in days.items() if isinstance(v, int | float)},
        attribution={str(k): v for k, v in attribution.items() if isinstance(v, str)},
        expires_at=row[5],
    )
