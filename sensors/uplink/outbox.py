"""The durable outbox: every reading is on disk before it is published, and leaves only
when the server has confirmed that it is stored (``…/stored``, not the broker's PUBACK).

Bounded: beyond ``capacity`` readings the oldest are evicted, and counted, so a station
that is offline for weeks keeps the newest data and says how much it had to drop.
"""

import json
import logging
import sqlite3
from dataclasses import dataclass
from typing import Any

from contract.messages import TimeSource
from sensors.time.timekeeping import Stamp, Synchronised

log = logging.getLogger("kyusui.agent.outbox")


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    ts: int
    mono_ms: int
    boot_id: str
    time_source: str
    body: str

    def reading(self) -> dict[str, Any]:
        """The contract Reading as a JSON-ready dict."""
        values: dict[str, Any] = json.loads(self.body)
        values["ts"] = self.ts
        values["time"] = self.time_source
        return values


class Outbox:
    def __init__(self, conn: sqlite3.Connection, capacity: int = 20_160) -> None:
        self.conn = conn
        self.capacity = capacity
        self.depth = int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
        row = conn.execute("SELECT value FROM meta WHERE key = 'evicted'").fetchone()
        self.evicted = int(row[0]) if row else 0
        self._acked: list[tuple[int, int]] = []  # confirmed, delete not yet committed
        # Every id up to here was evicted: a late confirmation of such a row changes nothing.
        self.floor = 0

    def add(self, stamp: Stamp, body: dict[str, Any]) -> int:
        """Store one reading (``body`` without ``ts``/``time``); returns its id."""
        encoded = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            if self._acked:
                self._delete_acked()
            cur = self.conn.execute(
                "INSERT INTO outbox (ts, mono_ms, boot_id, time_source, body)"
                " VALUES (?, ?, ?, ?, ?)",
                (stamp.ts, stamp.mono_ms, stamp.boot_id, stamp.source.value, encoded),
            )
            excess = self.depth + 1 - self.capacity
            if excess > 0:
                row = self.conn.execute(
                    "SELECT max(id) FROM (SELECT id FROM outbox ORDER BY id LIMIT ?)", (excess,)
                ).fetchone()
                self.floor = max(self.floor, int(row[0] or 0))
                self.conn.execute(
                    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?)",
                    (excess,),
                )
                self.conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('evicted', ?)",
                    (str(self.evicted + excess),),
                )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        if excess > 0:
            self.evicted += excess
            self.depth -= excess
        self.depth += 1
        return int(cur.lastrowid or 0)

    def batch(self, after_id: int, limit: int) -> list[OutboxRow]:
        rows = self.conn.execute(
            "SELECT id, ts, mono_ms, boot_id, time_source, body FROM outbox"
            " WHERE id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        ).fetchall()
        return [OutboxRow(*r) for r in rows]

    def remove(self, ids: list[int]) -> None:
        """Forget readings the server confirmed stored; each id is given at most once.

        The delete is committed together with the next reading, or by ``flush``, to save
        one SD-card commit per reading. Should the process die first, those readings are
        sent again after the restart: a duplicate the server's idempotent write absorbs,
        never a loss.
        """
        live = sorted(i for i in ids if i > self.floor)
        if not live:
            return
        start = prev = live[0]
        for i in live[1:]:
            if i != prev + 1:
                self._acked.append((start, prev))
                start = i
            prev = i
        self._acked.append((start, prev))
        self.depth = max(0, self.depth - len(live))
        if len(self._acked) >= 16:
            self.flush()

    def _delete_acked(self) -> None:
        self.conn.executemany("DELETE FROM outbox WHERE id BETWEEN ? AND ?", self._acked)
        self._acked.clear()

    def flush(self) -> None:
        """Commit the deletes of confirmed readings now (kept for later if the disk
        refuses: the readings would be sent twice, never lost)."""
        if not self._acked:
            return
        try:
            self._delete_acked()
        except sqlite3.Error as exc:
            log.error("could not remove %d confirmed batches: %s", len(self._acked), exc)

    def redate(self, sync: Synchronised) -> int:
        """Give readings taken before synchronisation (in this boot) their true time."""
        cur = self.conn.execute(
            "UPDATE outbox SET ts = mono_ms + ?, time_source = ?"
            " WHERE time_source = ? AND boot_id = ?",
            (sync.offset_ms, TimeSource.REDATED.value, TimeSource.UNSYNCED.value, sync.boot_id),
        )
        return max(cur.rowcount, 0)
