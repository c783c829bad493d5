"""The agent's own SQLite file (``agent.sqlite``): the outbox and the content it has accepted.

Separate from the local-state file the kiosk reads, so the kiosk never waits on outbox
writes and a damaged file costs only one of the two. A file SQLite cannot read or that
fails ``quick_check`` is moved aside (``agent.sqlite.corrupt-<ms>``) and rebuilt.
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from localstate.sqlitefile import quarantine_if_bad

FILE_NAME = "agent.sqlite"
SCHEMA_VERSION = 1

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Readings not yet acknowledged by the broker, oldest first.
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,          -- wall clock, UTC ms (a guess while time_source = 'unsynced')
    mono_ms INTEGER NOT NULL,     -- CLOCK_BOOTTIME ms, to re-date once the clock is synchronised
    boot_id TEXT NOT NULL,
    time_source TEXT NOT NULL,
    body TEXT NOT NULL            -- the rest of the contract Reading, JSON
);
-- The newest verified version of each piece of signed content, so replays are refused.
CREATE TABLE IF NOT EXISTS content (
    kind TEXT NOT NULL, content_id TEXT NOT NULL, version INTEGER NOT NULL,
    payload TEXT NOT NULL, received_at INTEGER NOT NULL,
    PRIMARY KEY (kind, content_id)
);
"""


@dataclass(frozen=True)
class OpenedDb:
    conn: sqlite3.Connection
    quarantined: Path | None


def open_agent_db(state_dir: Path) -> OpenedDb:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / FILE_NAME
    quarantined = quarantine_if_bad(path, SCHEMA_VERSION)
    conn = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
    # 1 KiB pages (new files only): a commit's WAL frames then share page-cache pages,
    # so the kernel writes about a quarter as much to the SD card.
    conn.execute("PRAGMA page_size=1024")
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: a reading is on the card once it is committed, so a power cut loses nothing
    # measured (NORMAL could lose the last half minute the kernel had not written yet). The
    # cost is one fsync of a 1 KiB-page WAL frame per reading, every few seconds.
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(DDL)
    conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    return OpenedDb(conn, quarantined)
