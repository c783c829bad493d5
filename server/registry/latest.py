"""``station_latest``: each station's newest reading, status and health, one row a station.

Ingest writes it once per batch (``record``), after the batch's readings are stored and
before anything is acknowledged, so a row never runs ahead of the time series and a batch
written again changes nothing. Each part only moves forward: the reading by the station's
own order (session, seq, place in its message), the status by session, the health by its
time, ``last_seen_ms`` by its maximum. ``changed_ms`` is the server's time of the last
change (ingest or a registry edit): what the fleet's change feed and ETag follow.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from contract.messages import Reading
from server.registry.models import EnrolmentState, Station, StationLatest

READING_COLUMNS = ("ts", "temp_c", "rh", "wbgt", "level", "quality", "time_source")
ORDER_COLUMNS = ("reading_session", "reading_seq", "reading_idx")
STATUS_COLUMNS = ("online", "status_session")
HEALTH_COLUMNS = ("health_ts", "clock_synced", "sensor_ok", "outbox_depth")


@dataclass(frozen=True, slots=True)
class NewestReading:
    session: int
    seq: int
    idx: int
    reading: Reading


@dataclass(frozen=True, slots=True)
class HealthSummary:
    ts: int
    clock_synced: bool
    sensor_ok: bool
    outbox_depth: int


@dataclass(slots=True)
class LatestUpdate:
    """What one batch learned about one station (the newest of each part)."""

    station: str
    seen_ms: int | None = None
    online: bool | None = None
    status_session: int | None = None
    reading: NewestReading | None = None
    health: HealthSummary | None = None

    def row(self, changed_ms: int) -> dict[str, Any]:
        r, h = self.reading, self.health
        return {
            "station_id": self.station,
            "changed_ms": changed_ms,
            "last_seen_ms": self.seen_ms,
            "online": self.online,
            "status_session": self.status_session,
            "reading_session": None if r is None else r.session,
            "reading_seq": None if r is None else r.seq,
            "reading_idx": None if r is None else r.idx,
            "ts": None if r is None else r.reading.ts,
            "temp_c": None if r is None else r.reading.temp_c,
            "rh": None if r is None else r.reading.rh,
            "wbgt": None if r is None else r.reading.wbgt,
            "level": None if r is None or r.reading.level is None else r.reading.level.value,
            "quality": None if r is None else r.reading.quality.value,
            "time_source": None if r is None else r.reading.time.value,
            "health_ts": None if h is None else h.ts,
            "clock_synced": None if h is None else h.clock_synced,
            "sensor_ok": None if h is None else h.sensor_ok,
            "outbox_depth": None if h is None else h.outbox_depth,
        }


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(StationLatest)
    return sqlite.insert(StationLatest)


def _moves_forward(stmt: Any) -> dict[str, ColumnElement[Any]]:
    """The upsert's SET: each part replaced only by a newer one."""
    t, new = StationLatest.__table__.c, stmt.excluded

    def when(newer: ColumnElement[bool], names: Iterable[str]) -> dict[str, ColumnElement[Any]]:
        return {n: case((newer, new[n]), else_=t[n]) for n in names}

    reading_newer = and_(
        new.reading_session.is_not(None),
        or_(
            t.reading_session.is_(None),
            tuple_(*(new[n] for n in ORDER_COLUMNS)) >= tuple_(*(t[n] for n in ORDER_COLUMNS)),
        ),
    )
    status_newer = and_(
        new.status_session.is_not(None),
        or_(t.status_session.is_(None), new.status_session >= t.status_session),
    )
    health_newer = and_(
        new.health_ts.is_not(None), or_(t.health_ts.is_(None), new.health_ts >= t.health_ts)
    )
    seen_newer = and_(
        new.last_seen_ms.is_not(None),
        or_(t.last_seen_ms.is_(None), new.last_seen_ms > t.last_seen_ms),
    )
    return {
        "changed_ms": new.changed_ms,
        **when(seen_newer, ["last_seen_ms"]),
        **when(status_newer, STATUS_COLUMNS),
        **when(reading_newer, (*ORDER_COLUMNS, *READING_COLUMNS)),
        **when(health_newer, HEALTH_COLUMNS),
    }


_UPSERTS: dict[str, Any] = {}  # per dialect: one statement, compiled once


def _upsert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    found = _UPSERTS.get(dialect)
    if found is None:
        stmt = _insert(session)
        found = _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["station_id"], set_=_moves_forward(stmt)
        )
    return found


def record(session: Session, updates: Iterable[LatestUpdate], changed_ms: int) -> None:
    """Upsert a batch's updates in the caller's transaction (one statement, executed for
    every station), in station order: two workers updating the same stations take their
    row locks in the same order."""
    rows = [u.row(changed_ms) for u in sorted(updates, key=lambda u: u.station)]
    if rows:
        session.connection().execute(_upsert(session), rows)  # Core: no ORM bookkeeping


def touch(session: Session, station_id: str, changed_ms: int) -> None:
    """A registry edit: the station's row counts as changed for the fleet's readers."""
    stmt = _insert(session).values(station_id=station_id, changed_ms=changed_ms)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["station_id"], set_={"changed_ms": stmt.excluded.changed_ms}
        )
    )


def last_seen(session: Session) -> list[tuple[str, int | None]]:
    """(station, last seen) of every station that reported and is not retired."""
    q = (
        select(StationLatest.station_id, StationLatest.last_seen_ms)
        .join(Station, Station.id == StationLatest.station_id)
        .where(Station.state != EnrolmentState.RETIRED.value)
        .order_by(StationLatest.station_id)
    )
    return [(sid, seen) for sid, seen in session.execute(q)]
