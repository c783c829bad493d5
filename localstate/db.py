"""Opening the local-state file safely, and the reads and writes both processes use.

A file that SQLite cannot read, that fails ``quick_check`` or that has another schema
version is moved aside (``station.sqlite.corrupt-<ms>``) and rebuilt; the caller learns
so from ``OpenResult.quarantined`` and reports it.
"""

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from localstate.emergency import read_emergencies, write_emergency
from localstate.forecast import read_forecast, write_forecast
from localstate.model import (
    AlertView,
    DisplaySchedule,
    EmergencyView,
    ForecastView,
    KioskRequest,
    KioskRequestResult,
    NoticeView,
    PlaceListView,
    ReadingView,
    ShownNotice,
    Site,
    Snapshot,
    Touch,
    image_from_json,
    names_from_json,
)
from localstate.places import read_place_lists, write_places
from localstate.schema import DDL, SCHEMA_VERSION
from localstate.sqlitefile import quarantine_if_bad

FILE_NAME = "station.sqlite"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class OpenResult:
    state: "LocalState"
    quarantined: Path | None  # where a bad file was moved, if one was


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    # A reader (the kiosk) must not create the file: an empty one would look to the agent
    # like a damaged file to quarantine, and to the reader like a state with no tables.
    target = str(path) if create else f"{path.resolve().as_uri()}?mode=rw"
    conn = sqlite3.connect(
        target, timeout=5.0, isolation_level=None, check_same_thread=False, uri=not create
    )
    # 1 KiB pages (new files only): a commit's WAL frames then share page-cache pages,
    # so the kernel writes about a quarter as much to the SD card.
    conn.execute("PRAGMA page_size=1024")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def open_local_state(state_dir: Path, create: bool = True) -> OpenResult:
    """Open (and with ``create``, repair or build) the local state in ``state_dir``."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / FILE_NAME
    quarantined = quarantine_if_bad(path, SCHEMA_VERSION) if create else None
    conn = _connect(path, create)
    if create:
        conn.executescript(DDL)
        conn.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
    return OpenResult(LocalState(conn), quarantined)


class LocalState:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._pruned_hour: int | None = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested use joins the outer one (fewer commits, fewer
        SD-card writes)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def checkpoint(self) -> None:
        """Copy the WAL into the file now, so the next write starts the WAL again from its
        beginning: on a full disk the WAL can only reuse the room it already has."""
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    # --- agent writes -------------------------------------------------------------------
    def set_station(
        self,
        station_id: str,
        name_ja: str,
        name_en: str,
        area: str | None,
        names: Mapping[Any, str] | None = None,  # {lang: name} in the kiosk's other languages
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO station VALUES (1, ?, ?, ?, ?, ?)",
            (station_id, name_ja, name_en, area, json.dumps(dict(names or {}), ensure_ascii=False)),
        )

    def set_site(self, site: Site) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO site VALUES (1, ?, ?, ?)",
            (site.latitude, site.longitude, site.address),
        )

    def set_places(self, places: PlaceListView) -> None:
        """Keep a scope's verified list; an empty one withdraws it."""
        write_places(self.conn, places, _now_ms())

    def write_reading(
        self, reading: ReadingView, history_keep_ms: int = 48 * 3600_000, history: bool = True
    ) -> None:
        """The newest reading, and (with ``history``) its point in the kiosk's trend. Without
        it only a row is replaced in place: what a full disk still allows."""
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO latest_reading VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    reading.ts,
                    reading.temp_c,
                    reading.rh,
                    reading.wbgt,
                    reading.level,
                    reading.quality,
                    reading.time_source,
                    _now_ms(),
                ),
            )
            if history and reading.wbgt is not None and reading.level is not None:
                c.execute(
                    "INSERT OR REPLACE INTO wbgt_history VALUES (?, ?, ?)",
                    (reading.ts, reading.wbgt, reading.level),
                )
                hour = reading.ts // 3_600_000
                if hour != self._pruned_hour:  # hourly: each prune writes another page
                    self._pruned_hour = hour
                    c.execute(
                        "DELETE FROM wbgt_history WHERE ts < ?", (reading.ts - history_keep_ms,)
                    )

    def write_agent_status(
        self,
        sensor: str,
        network: str,
        sensor_detail: str = "",
        outbox_depth: int = 0,
        clock_synced: bool = True,
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO agent_status VALUES (1, ?, ?, ?, ?, ?, ?)",
            (sensor, sensor_detail, network, outbox_depth, int(clock_synced), _now_ms()),
        )

    def upsert_notice(self, notice: NoticeView) -> None:
        image = notice.image
        self.conn.execute(
            "INSERT OR REPLACE INTO notices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                notice.notice_id,
                notice.version,
                notice.priority,
                json.dumps(notice.title, ensure_ascii=False),
                json.dumps(notice.body, ensure_ascii=False),
                notice.starts_at,
                notice.ends_at,
                notice.expires_at,
                _now_ms(),
                None if image is None else json.dumps(asdict(image), ensure_ascii=False),
            ),
        )

    def remove_notice(self, notice_id: str) -> None:
        self.conn.execute("DELETE FROM notices WHERE notice_id = ?", (notice_id,))

    def set_alert(self, alert: AlertView | None) -> None:
        if alert is None:
            self.conn.execute("DELETE FROM heat_alert")
            return
        self.conn.execute(
            "INSERT OR REPLACE INTO heat_alert VALUES (1, ?, ?, ?, ?, ?, ?)",
            (
                alert.alert,
                alert.version,
                alert.forecast_wbgt,
                alert.valid_on,
                json.dumps(alert.message, ensure_ascii=False),
                alert.expires_at,
            ),
        )

    def set_emergency(self, emergency: EmergencyView) -> None:
        write_emergency(self.conn, emergency)

    def remove_emergency(self, emergency_id: str) -> None:
        self.conn.execute("DELETE FROM emergencies WHERE emergency_id = ?", (emergency_id,))

    def set_forecast(self, forecast: ForecastView | None) -> None:
        write_forecast(self.conn, forecast)

    def set_display(self, schedule: DisplaySchedule) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO display VALUES (1, ?, ?, ?)",
            (schedule.on_start, schedule.on_end, schedule.stale_after_s),
        )

    def set_presence(self, last_motion_at: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO presence VALUES (1, ?)", (last_motion_at,))

    def request_kiosk(self, request_id: str, name: str) -> None:
        """Ask the kiosk to do something (e.g. 'screenshot'); it fills in the result."""
        self.conn.execute(
            "INSERT OR REPLACE INTO kiosk_requests (request_id, name, requested_at)"
            " VALUES (?, ?, ?)",
            (request_id, name, _now_ms()),
        )

    def kiosk_request_result(self, request_id: str) -> KioskRequestResult | None:
        """None while the kiosk has not answered."""
        row = self.conn.execute(
            "SELECT ok, result_path, detail FROM kiosk_requests"
            " WHERE request_id = ? AND done_at IS NOT NULL",
            (request_id,),
        ).fetchone()
        if row is None:
            return None
        return KioskRequestResult(bool(row[0]), row[1], row[2] or "")

    # --- kiosk: the agent's requests ------------------------------------------------------
    def pending_kiosk_requests(self) -> list[KioskRequest]:
        """The agent's requests the kiosk has not answered, oldest first."""
        rows = self.conn.execute(
            "SELECT request_id, name FROM kiosk_requests WHERE done_at IS NULL"
            " ORDER BY requested_at"
        ).fetchall()
        return [KioskRequest(str(r[0]), str(r[1])) for r in rows]

    def answer_kiosk_request(
        self, request_id: str, ok: bool, result_path: str | None, detail: str = ""
    ) -> None:
        self.conn.execute(
            "UPDATE kiosk_requests SET done_at = ?, ok = ?, result_path = ?, detail = ?"
            " WHERE request_id = ?",
            (_now_ms(), int(ok), result_path, detail, request_id),
        )

    def unpublished_receipts(self, limit: int = 500) -> list[tuple[int, ShownNotice]]:
        rows = self.conn.execute(
            "SELECT id, notice_id, version, shown_at, duration_s, lang FROM receipts"
            " WHERE published = 0 ORDER BY id LIMIT ?",
            (limit,),
        ).fetchall()
        return [(r[0], ShownNotice(r[1], r[2], r[3], r[4], r[5])) for r in rows]

    def mark_receipts_published(self, ids: list[int]) -> None:
        self.conn.executemany("UPDATE receipts SET published = 1 WHERE id = ?", [(i,) for i in ids])

    def unpublished_interactions(self, limit: int = 500) -> list[tuple[int, Touch]]:
        rows = self.conn.execute(
            "SELECT id, ts, kind, detail FROM interactions WHERE published = 0 ORDER BY id LIMIT ?",
            (limit,),
        ).fetchall()
        return [(r[0], Touch(r[1], r[2], r[3])) for r in rows]

    def mark_interactions_published(self, ids: list[int]) -> None:
        self.conn.executemany(
            "UPDATE interactions SET published = 1 WHERE id = ?", [(i,) for i in ids]
        )

    # --- kiosk writes -------------------------------------------------------------------
    def record_receipt(self, receipt: ShownNotice) -> None:
        self.conn.execute(
            "INSERT INTO receipts (notice_id, version, shown_at, duration_s, lang)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                receipt.notice_id,
                receipt.version,
                receipt.shown_at,
                receipt.duration_s,
                receipt.lang,
            ),
        )

    def record_interaction(self, kind: str, detail: str = "", ts: int | None = None) -> None:
        self.conn.execute(
            "INSERT INTO interactions (ts, kind, detail) VALUES (?, ?, ?)",
            (ts if ts is not None else _now_ms(), kind, detail),
        )

    def write_kiosk_status(self, display_state: str, lang: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO kiosk_status VALUES (1, ?, ?, ?)",
            (display_state, lang, _now_ms()),
        )

    # --- agent reads of what the kiosk wrote ----------------------------------------------
    def kiosk_display_state(self) -> str | None:
        """What the kiosk last said its screen was doing (``on``, ``dim``, ``off``), if it
        has said anything."""
        row = self.conn.execute("SELECT display_state FROM kiosk_status").fetchone()
        return str(row[0]) if row else None

    # --- kiosk reads --------------------------------------------------------------------
    def snapshot(self, history_since_ms: int | None = None) -> Snapshot:
        c = self.conn
        c.execute("BEGIN")
        try:
            station = c.execute(
                "SELECT station_id, name_ja, name_en, names FROM station"
            ).fetchone()
            latest = c.execute(
                "SELECT ts, temp_c, rh, wbgt, level, quality, time_source FROM latest_reading"
            ).fetchone()
            status = c.execute(
                "SELECT sensor, sensor_detail, network, clock_synced, heartbeat_at"
                " FROM agent_status"
            ).fetchone()
            notices = c.execute(
                "SELECT notice_id, version, priority, title, body, starts_at, ends_at, expires_at,"
                " image FROM notices"
            ).fetchall()
            alert = c.execute(
                "SELECT alert, version, forecast_wbgt, valid_on, message, expires_at"
                " FROM heat_alert"
            ).fetchone()
            emergencies = read_emergencies(c)
            forecast = read_forecast(c)
            display = c.execute("SELECT on_start, on_end, stale_after_s FROM display").fetchone()
            presence = c.execute("SELECT last_motion_at FROM presence").fetchone()
            since = history_since_ms if history_since_ms is not None else _now_ms() - 86_400_000
            history = c.execute(
                "SELECT ts, wbgt, level FROM wbgt_history WHERE ts >= ? ORDER BY ts", (since,)
            ).fetchall()
            site = c.execute("SELECT latitude, longitude, address FROM site").fetchone()
            place_lists = read_place_lists(c)
        finally:
            c.execute("COMMIT")
        return Snapshot(
            station_id=station[0] if station else None,
            name_ja=station[1] if station else "",
            name_en=station[2] if station else "",
            names=names_from_json(station[3]) if station else {},
            latest=ReadingView(*latest) if latest else None,
            sensor=status[0] if status else "starting",
            sensor_detail=status[1] if status else "",
            network=status[2] if status else "offline",
            clock_synced=bool(status[3]) if status else True,
            agent_heartbeat_at=status[4] if status else None,
            notices=[
                NoticeView(
                    n[0],
                    n[1],
                    n[2],
                    json.loads(n[3]),
                    json.loads(n[4]),
                    n[5],
                    n[6],
                    n[7],
                    image_from_json(n[8]),
                )
                for n in notices
            ],
            alert=AlertView(alert[0], alert[1], alert[2], alert[3], json.loads(alert[4]), alert[5])
            if alert
            else None,
            emergencies=emergencies,
            forecast=forecast,
            display=DisplaySchedule(*display) if display else DisplaySchedule(),
            last_motion_at=presence[0] if presence else None,
            history=[(h[0], h[1], h[2]) for h in history],
            site=Site(site[0], site[1], site[2] or "") if site else Site(),
            place_lists=place_lists,
        )
