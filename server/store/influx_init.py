"""``kyusui-timeseries init``: create the database, retention and downsampling. Idempotent.

- ``raw`` (default RP): every reading, kept ``influx_raw_days``.
- ``rollup``: 10-minute min/mean/max per station, kept ``influx_rollup_days``, filled by a
  continuous query; and hourly ones (``reading_1h``), filled by ingest and, for readings
  from before they existed, once by this command.

Runs over InfluxQL, so it works on 1.x. On 2.x/3.x create the bucket and DBRP mapping with
that version's own tools; this command then only reports what it cannot do.
"""

import logging

from server.settings import ServerSettings
from server.store.influx import ROLLUP_RP
from server.store.influx_read import InfluxQL
from server.store.influx_rollup import HOURLY_TARGET, STATS

log = logging.getLogger("kyusui.timeseries")

CQ_NAME = "reading_10m"


def _ensure_rp(ql: InfluxQL, name: str, days: int, default: bool) -> str:
    db = ql.database
    result = ql.query(f'SHOW RETENTION POLICIES ON "{db}"')[0]
    existing = {}
    for series in result.get("series", []):
        for row in series.get("values", []):
            existing[row[0]] = row[1]  # name → duration, e.g. "720h0m0s"
    want = f"{days * 24}h0m0s"
    suffix = " DEFAULT" if default else ""
    if name not in existing:
        ql.query(
            f'CREATE RETENTION POLICY "{name}" ON "{db}" DURATION {days}d REPLICATION 1{suffix}',
            "POST",
        )
        return f"created retention policy {name} ({days} days)"
    if existing[name] != want or default:
        ql.query(f'ALTER RETENTION POLICY "{name}" ON "{db}" DURATION {days}d{suffix}', "POST")
        return f"retention policy {name}: {days} days"
    return f"retention policy {name} unchanged"


def init_influx(settings: ServerSettings) -> list[str]:
    """Set up the database; returns what was done, one line per step."""
    ql = InfluxQL(settings)
    try:
        db, raw = ql.database, ql.rp
        done = [f"database {db}"]
        ql.query(f'CREATE DATABASE "{db}"', "POST")
        done.append(_ensure_rp(ql, raw, settings.influx_raw_days, default=True))
        done.append(_ensure_rp(ql, ROLLUP_RP, settings.influx_rollup_days, default=False))
        cqs = ql.query("SHOW CONTINUOUS QUERIES")[0]
        names = {
            row[0]
            for s in cqs.get("series", [])
            if s.get("name") == db
            for row in s.get("values", [])
        }
        if CQ_NAME in names:
            done.append(f"continuous query {CQ_NAME} unchanged")
        else:
            stats = ", ".join(
                f"min({f}) AS {f}_min, mean({f}) AS {f}_mean, max({f}) AS {f}_max"
                for f in ("temp_c", "rh", "wbgt")
            )
            ql.query(
                f'CREATE CONTINUOUS QUERY "{CQ_NAME}" ON "{db}" BEGIN'
                f" SELECT count(quality) AS n, {stats}"
                f' INTO "{db}"."{ROLLUP_RP}"."reading_10m" FROM "{db}"."{raw}"."reading"'
                " GROUP BY time(10m), * END",
                "POST",
            )
            done.append(f"created continuous query {CQ_NAME}")
        done.append(_backfill_hourly(ql, db, raw))
        return done
    finally:
        ql.close()


def _backfill_hourly(ql: InfluxQL, db: str, raw: str) -> str:
    """Hourly buckets of every reading so far, once: ingest keeps them from then on."""
    target = f'"{db}"."{ROLLUP_RP}"."{HOURLY_TARGET}"'
    have = ql.query(f"SELECT count(n) FROM {target}")[0].get("series")
    if have:
        return f"{HOURLY_TARGET} present"
    ql.query(
        f"SELECT count(quality) AS n, {STATS} INTO {target}"
        f' FROM "{db}"."{raw}"."reading" WHERE time >= 0 GROUP BY time(1h), *',
        "POST",
    )
    return f"filled {HOURLY_TARGET} from the readings so far"
