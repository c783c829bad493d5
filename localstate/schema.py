"""DDL of the local-state file. Bump SCHEMA_VERSION on any change: an older file is rebuilt.

Singleton tables hold one row with ``id = 1``. Times are UTC epoch milliseconds.
Writers: the agent writes everything except ``receipts``, ``interactions`` and
``kiosk_status``, which only the kiosk writes.
"""

SCHEMA_VERSION = 5  # 2: station.names; 3: official_forecast; 4: emergencies, notices.image;
# 5: site, places

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS station (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    station_id TEXT NOT NULL, name_ja TEXT NOT NULL, name_en TEXT NOT NULL, area TEXT,
    names TEXT NOT NULL DEFAULT '{}'  -- JSON {lang: name} for the kiosk's other languages
);

-- The newest reading; a fault reading has NULL values and quality 'fault'.
CREATE TABLE IF NOT EXISTS latest_reading (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    ts INTEGER NOT NULL, temp_c REAL, rh REAL, wbgt REAL, level TEXT,
    quality TEXT NOT NULL, time_source TEXT NOT NULL, written_at INTEGER NOT NULL
);

-- Where the station stands, for the distances to places and to read out to 119.
CREATE TABLE IF NOT EXISTS site (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    latitude REAL, longitude REAL, address TEXT NOT NULL DEFAULT ''
);

-- Verified place lists, one per scope (contract.places.places_id). places: JSON array of
-- contract.places.Place.
CREATE TABLE IF NOT EXISTS places (
    list_id TEXT PRIMARY KEY, version INTEGER NOT NULL, places TEXT NOT NULL,
    expires_at INTEGER, received_at INTEGER NOT NULL
);

-- WBGT history for the kiosk's trend (the agent keeps the last 48 h).
CREATE TABLE IF NOT EXISTS wbgt_history (
    ts INTEGER PRIMARY KEY, wbgt REAL NOT NULL, level TEXT NOT NULL
) WITHOUT ROWID;

-- sensor: 'ok' | 'fault' | 'starting'; network: 'online' | 'offline'.
CREATE TABLE IF NOT EXISTS agent_status (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sensor TEXT NOT NULL, sensor_detail TEXT NOT NULL DEFAULT '',
    network TEXT NOT NULL, outbox_depth INTEGER NOT NULL DEFAULT 0,
    clock_synced INTEGER NOT NULL DEFAULT 1,
    heartbeat_at INTEGER NOT NULL  -- the agent's last write; older than stale_after_s = stale
);

-- Verified, not withdrawn notices. title/body: JSON objects {lang: text}; image: JSON of
-- the signed picture's sha256, size, media_type, width, height and alt, or NULL.
CREATE TABLE IF NOT EXISTS notices (
    notice_id TEXT PRIMARY KEY, version INTEGER NOT NULL, priority TEXT NOT NULL,
    title TEXT NOT NULL, body TEXT NOT NULL,
    starts_at INTEGER, ends_at INTEGER, expires_at INTEGER, received_at INTEGER NOT NULL,
    image TEXT
);

-- The area's 熱中症(特別)警戒アラート; no row, or alert 'none', means no alert.
CREATE TABLE IF NOT EXISTS heat_alert (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    alert TEXT NOT NULL, version INTEGER NOT NULL, forecast_wbgt REAL, valid_on TEXT,
    message TEXT NOT NULL DEFAULT '{}', expires_at INTEGER
);

-- Disaster mode in force (避難所開設情報), one row per scope; a withdrawal deletes the row.
-- message: JSON {lang: text}; shelters: JSON [{"name": {…}, "address": {…}}].
CREATE TABLE IF NOT EXISTS emergencies (
    emergency_id TEXT PRIMARY KEY, version INTEGER NOT NULL, area TEXT,
    message TEXT NOT NULL, shelters TEXT NOT NULL, issued_at INTEGER NOT NULL,
    expires_at INTEGER
);

-- The Ministry's official WBGT forecast (contract.forecast): days is JSON {"YYYY-MM-DD": max},
-- attribution JSON {lang: text}; no row means none. Shown until expires_at.
CREATE TABLE IF NOT EXISTS official_forecast (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL, point TEXT NOT NULL, made_at INTEGER NOT NULL,
    days TEXT NOT NULL, attribution TEXT NOT NULL, expires_at INTEGER
);

-- Display schedule (JST 'HH:MM', may wrap midnight) and when data counts as stale.
CREATE TABLE IF NOT EXISTS display (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    on_start TEXT NOT NULL, on_end TEXT NOT NULL, stale_after_s INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS presence (
    id INTEGER PRIMARY KEY CHECK (id = 1), last_motion_at INTEGER NOT NULL
);

-- Requests from the agent to the kiosk (e.g. 'screenshot'); the kiosk fills in the result.
CREATE TABLE IF NOT EXISTS kiosk_requests (
    request_id TEXT PRIMARY KEY, name TEXT NOT NULL, requested_at INTEGER NOT NULL,
    done_at INTEGER, ok INTEGER, result_path TEXT, detail TEXT
);

-- Written by the kiosk.
CREATE TABLE IF NOT EXISTS receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id TEXT NOT NULL, version INTEGER NOT NULL, shown_at INTEGER NOT NULL,
    duration_s REAL NOT NULL, lang TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS interactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '',
    published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS kiosk_status (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    display_state TEXT NOT NULL, lang TEXT NOT NULL, heartbeat_at INTEGER NOT NULL
);
"""
